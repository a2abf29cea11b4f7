"""Turns dataplane events into index changes, in stream order.

A PUT becomes one document per result page (`{prefix}-{operator}`, id `{asset}/{page}`), so a
redelivered record rewrites the same document. A DELETE removes the operator's documents of the
asset, or with no operator, the asset's documents in every index of the prefix.

Known gap: when a rewrite leaves an operator with fewer pages than before, the dataplane drops the
extra pages without an event, so their documents stay until the operator's results are deleted.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

from api.dataplane.events import Action, MetadataEvent
from api.search.client import SearchRejectedError
from api.search.index import SearchIndex
from api.search.records import MalformedRecordError, decode_record

logger = Logger(child=True)


class EarlierRecordFailedError(RuntimeError):
    """Not tried: an earlier record of the shard failed, and order matters (a PUT, then its DELETE)."""


class Indexer:
    def __init__(self, s3: Any, search: SearchIndex, index_prefix: str) -> None:
        self._s3 = s3
        self._search = search
        self._prefix = index_prefix
        self._failed = False

    def start_batch(self) -> None:
        self._failed = False

    def index_name(self, operator: str) -> str:
        return f"{self._prefix}-{operator.lower()}"

    def handle(self, data: bytes) -> None:
        """Apply one record; raise to have it (and every later one) delivered again."""
        if self._failed:
            raise EarlierRecordFailedError("an earlier record of this batch failed")
        try:
            self._apply(data)
        except Exception:
            # Whatever escapes _apply may pass on a retry (throttling, an outage, a bug fixed by a
            # deploy): keep the shard's order by failing the rest of the batch too.
            self._failed = True
            raise

    def _apply(self, data: bytes) -> None:
        try:
            event = decode_record(data)
        except MalformedRecordError as exc:
            logger.error("record skipped: it can never be indexed", extra={"reason": str(exc)})
            return
        try:
            if event.action is Action.PUT:
                self._put(event)
            else:
                self._delete(event)
        except SearchRejectedError as exc:
            logger.error(
                "record skipped: OpenSearch refused it", extra={"reason": str(exc), "asset": event.asset_id}
            )

    def _put(self, event: MetadataEvent) -> None:
        assert event.operator is not None and event.page is not None  # checked by decode_record
        results = self._read_page(event)
        if results is None:
            return
        document = {
            "AssetId": event.asset_id,
            "Operator": event.operator,
            "WorkflowId": event.workflow_id,
            "Page": event.page,
            "Timestamp": event.timestamp,
            "Results": results,
        }
        self._search.put_document(self.index_name(event.operator), f"{event.asset_id}/{event.page}", document)

    def _delete(self, event: MetadataEvent) -> None:
        pattern = self.index_name(event.operator) if event.operator else f"{self._prefix}-*"
        deleted = self._search.delete_matching(pattern, {"AssetId": event.asset_id})
        logger.info(
            "documents deleted", extra={"asset": event.asset_id, "index": pattern, "deleted": deleted}
        )

    def _read_page(self, event: MetadataEvent) -> Any:
        try:
            body = self._s3.get_object(Bucket=event.bucket, Key=event.key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                # Deleted (or replaced) before we got here; a later event says so.
                logger.info("page already gone: nothing to index", extra={"key": event.key})
                return None
            raise
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            logger.error("page skipped: not JSON", extra={"key": event.key})
            return None
