"""The OpenSearch calls the consumer makes, signed with SigV4 for Amazon OpenSearch Service.

A small `requests` session with botocore's signer rather than opensearch-py: the consumer needs
three endpoints (`_bulk`, `_refresh`, `_delete_by_query`), and opensearch-py 3.x requires
opensearch-protobufs, which brings grpcio and protobuf into the layer every function loads.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import boto3
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from api.search.index import IndexAction, ItemResult

SIGNING_SERVICE = "es"
TIMEOUT_SECONDS = 30
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


class SearchUnavailableError(RuntimeError):
    """Throttled, failing or unreachable: the record is retried later."""


class SearchRejectedError(RuntimeError):
    """OpenSearch refused the request itself (e.g. a mapping conflict): retrying cannot help."""


class OpenSearchClient:
    def __init__(self, endpoint: str, region: str, *, session: boto3.Session | None = None) -> None:
        self._endpoint = endpoint.rstrip("/")
        self._region = region
        self._session = session or boto3.Session()
        self._http = requests.Session()  # one pool, reused by warm invocations

    def bulk_index(self, actions: Sequence[IndexAction]) -> list[ItemResult]:
        """Send the actions in one `_bulk` request; one result per action, in the same order.

        Raises SearchUnavailableError or SearchRejectedError when the request as a whole fails.
        """
        if not actions:
            return []
        data = b"".join(_ndjson(action) for action in actions)
        answer = self._send("POST", "/_bulk", data, content_type="application/x-ndjson")
        items = answer.get("items") if isinstance(answer, dict) else None
        if not isinstance(items, list) or len(items) != len(actions):
            # Cannot tell which actions were applied: all of them come back (they are idempotent).
            raise SearchUnavailableError(f"_bulk answered an unreadable item list for {len(actions)} actions")
        return [_item_result(item) for item in items]

    def delete_matching(self, index_pattern: str, term: dict[str, str]) -> int:
        """Delete the documents whose keyword fields equal `term`; a missing index holds none."""
        target = quote(index_pattern, safe="*,")
        # A delete by query sees only refreshed documents: without this, a page indexed in the last
        # second (the refresh interval) would outlive the delete that follows it on the stream.
        self._request("POST", f"/{target}/_refresh?ignore_unavailable=true", None, missing_ok=True)
        query = {"query": {"bool": {"filter": [{"term": {f"{k}.keyword": v}} for k, v in term.items()]}}}
        path = f"/{target}/_delete_by_query?conflicts=proceed&ignore_unavailable=true"
        answer = self._request("POST", path, query, missing_ok=True)
        return int(answer.get("deleted", 0)) if isinstance(answer, dict) else 0

    def _request(self, method: str, path: str, body: Any, *, missing_ok: bool = False) -> Any:
        data = b"" if body is None else json.dumps(body, separators=(",", ":")).encode("utf-8")
        return self._send(method, path, data, content_type="application/json", missing_ok=missing_ok)

    def _send(
        self, method: str, path: str, data: bytes, *, content_type: str, missing_ok: bool = False
    ) -> Any:
        url = self._endpoint + path
        signed = AWSRequest(method=method, url=url, data=data, headers={"Content-Type": content_type})
        SigV4Auth(self._credentials(), SIGNING_SERVICE, self._region).add_auth(signed)
        try:
            response = self._http.request(
                method, url, data=data, headers=dict(signed.headers.items()), timeout=TIMEOUT_SECONDS
            )
        except requests.RequestException as exc:
            raise SearchUnavailableError(f"{method} {path}: {exc}") from exc
        if response.status_code in TRANSIENT_STATUSES or response.status_code in (401, 403):
            # 403 too: a grant or access policy still propagating; past the retries, the dead-letter queue.
            raise SearchUnavailableError(
                f"{method} {path} answered {response.status_code}: {response.text[:300]}"
            )
        if response.status_code == 404 and missing_ok:
            return {}
        if not 200 <= response.status_code < 300:
            raise SearchRejectedError(
                f"{method} {path} answered {response.status_code}: {response.text[:300]}"
            )
        return response.json() if response.content else {}

    def _credentials(self) -> Any:
        credentials = self._session.get_credentials()
        if credentials is None:
            raise SearchUnavailableError("no AWS credentials to sign OpenSearch requests")
        return credentials.get_frozen_credentials()


def _ndjson(action: IndexAction) -> bytes:
    header = {"index": {"_index": action.index, "_id": action.document_id}}
    return json.dumps(header, separators=(",", ":")).encode("utf-8") + b"\n" + action.source + b"\n"


def _item_result(item: Any) -> ItemResult:
    outcome = item.get("index") if isinstance(item, dict) else None
    if not isinstance(outcome, dict) or not isinstance(outcome.get("status"), int):
        return ItemResult(500, f"unreadable bulk item {item!r:.200}")  # unknown: retry it
    error = outcome.get("error")
    if error is None:
        return ItemResult(outcome["status"])
    reason = f"{error.get('type')}: {error.get('reason')}" if isinstance(error, dict) else str(error)
    return ItemResult(outcome["status"], reason[:300])
