"""The two OpenSearch calls the consumer makes, signed with SigV4 for Amazon OpenSearch Service.

A small `requests` session with botocore's signer rather than opensearch-py: the consumer needs
two endpoints, and that client brings grpcio and protobuf into the layer every function loads.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import boto3
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

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

    def put_document(self, index: str, document_id: str, body: dict[str, Any]) -> None:
        """Create or replace one document: the id makes a redelivered record harmless."""
        self._request("PUT", f"/{quote(index, safe='')}/_doc/{quote(document_id, safe='')}", body)

    def delete_matching(self, index_pattern: str, term: dict[str, str]) -> int:
        """Delete the documents whose keyword fields equal `term`; a missing index holds none."""
        query = {"query": {"bool": {"filter": [{"term": {f"{k}.keyword": v}} for k, v in term.items()]}}}
        path = (
            f"/{quote(index_pattern, safe='*,')}/_delete_by_query?conflicts=proceed&ignore_unavailable=true"
        )
        answer = self._request("POST", path, query, missing_ok=True)
        return int(answer.get("deleted", 0)) if isinstance(answer, dict) else 0

    def _request(self, method: str, path: str, body: Any, *, missing_ok: bool = False) -> Any:
        url = self._endpoint + path
        data = json.dumps(body, separators=(",", ":")).encode("utf-8")
        signed = AWSRequest(method=method, url=url, data=data, headers={"Content-Type": "application/json"})
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
