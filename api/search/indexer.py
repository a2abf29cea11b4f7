"""Turns one shard's batch of dataplane events into index changes, in stream order.

A PUT becomes one document per result page (`{prefix}-{operator}`, id `{asset}/{page}`), so a
redelivered record rewrites the same document. Consecutive PUTs go to OpenSearch in one `_bulk`
request (split only past MAX_BULK_BYTES); a DELETE first sends the PUTs before it, then removes the
operator's documents of the asset, or with no operator, the asset's documents in every index of
the prefix.

Each record ends one of two ways. Done: applied, or skipped for good with a log line, because
retrying could never succeed (malformed JSON, an unknown SchemaVersion, a page that is gone or not
JSON, a document OpenSearch refuses). Back: anything else (throttling, 5xx, S3 or network errors,
a bug fixed by a deploy) may pass later, so that record and every later one of the batch are
delivered again: a DELETE must not overtake the PUT before it.

Known gap: when a rewrite leaves an operator with fewer pages than before, the dataplane drops the
extra pages without an event, so their documents stay until the operator's results are deleted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

from api.dataplane.events import Action, MetadataEvent
from api.search.client import SearchRejectedError, SearchUnavailableError
from api.search.findings import findings
from api.search.index import IndexAction, SearchIndex
from api.search.records import MalformedRecordError, decode_record

logger = Logger(child=True)

# Under the 10 MiB request limit of the smallest domain instance types; a page is at most 5 MiB.
MAX_BULK_BYTES = 8 * 1024 * 1024


class EarlierRecordFailedError(RuntimeError):
    """Not tried, or tried but must come back: an earlier record of the shard failed."""


class Indexer:
    def __init__(self, s3: Any, search: SearchIndex, index_prefix: str) -> None:
        self._s3 = s3
        self._search = search
        self._prefix = index_prefix

    def index_name(self, operator: str) -> str:
        return f"{self._prefix}-{operator.lower()}"

    def apply_batch(self, payloads: Sequence[bytes]) -> list[Exception | None]:
        """Apply one shard's records in order: per record, None when done, or why it comes back."""
        batch = _Batch(self._search, len(payloads))
        for position, data in enumerate(payloads):
            try:
                self._apply(batch, position, data)
            except Exception as exc:
                batch.fail(position, exc)
            if batch.failed:
                break  # the rest comes back untried
        batch.flush()
        return batch.outcomes()

    def _apply(self, batch: _Batch, position: int, data: bytes) -> None:
        try:
            event = decode_record(data)
        except MalformedRecordError as exc:
            # Permanent: the same bytes come back on every retry, and would stall the shard for days.
            logger.error("record skipped: it can never be indexed", extra={"reason": str(exc)})
            return
        if event.action is Action.PUT:
            action = self._document(event)
            if action is not None:
                batch.add(position, action)
            return
        batch.flush()  # the PUTs before this DELETE land first
        if batch.failed:
            return
        pattern = self.index_name(event.operator) if event.operator else f"{self._prefix}-*"
        try:
            deleted = self._search.delete_matching(pattern, {"AssetId": event.asset_id})
        except SearchRejectedError as exc:
            logger.error("record skipped: OpenSearch refused the delete", extra={"reason": str(exc)})
            return
        logger.info(
            "documents deleted", extra={"asset": event.asset_id, "index": pattern, "deleted": deleted}
        )

    def _document(self, event: MetadataEvent) -> IndexAction | None:
        assert event.operator is not None and event.page is not None  # checked by decode_record
        results = self._read_page(event)
        if results is None:
            return None
        document = {
            "AssetId": event.asset_id,
            "Operator": event.operator,
            "WorkflowId": event.workflow_id,
            "Page": event.page,
            "Timestamp": event.timestamp,
            "Findings": [
                {
                    "Kind": found.kind,
                    "Label": found.label,
                    "StartMs": found.start_ms,
                    "StopMs": found.stop_ms,
                    "Confidence": found.confidence,
                }
                for found in findings(results)
            ],
            "Results": results,
        }
        return IndexAction.of(self.index_name(event.operator), f"{event.asset_id}/{event.page}", document)

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


class _Batch:
    """The PUTs waiting for one bulk request, and the first record that must come back."""

    def __init__(self, search: SearchIndex, size: int) -> None:
        self._search = search
        self._size = size
        self._pending: list[tuple[int, IndexAction]] = []
        self._pending_bytes = 0
        self._failed_at: int | None = None
        self._error: Exception | None = None

    @property
    def failed(self) -> bool:
        return self._failed_at is not None

    def fail(self, position: int, error: Exception) -> None:
        if self._failed_at is None or position < self._failed_at:
            self._failed_at, self._error = position, error

    def add(self, position: int, action: IndexAction) -> None:
        size = len(action.source)
        if self._pending and self._pending_bytes + size > MAX_BULK_BYTES:
            self.flush()
        self._pending.append((position, action))
        self._pending_bytes += size

    def flush(self) -> None:
        sent, self._pending, self._pending_bytes = self._pending, [], 0
        if not sent:
            return
        try:
            results = self._search.bulk_index([action for _, action in sent])
        except SearchRejectedError as exc:
            # The request itself was refused (4xx): sending the same bytes again cannot help.
            for _, action in sent:
                _log_refused(action, str(exc))
            return
        except Exception as exc:
            self.fail(sent[0][0], exc)
            return
        for (position, action), result in zip(sent, results, strict=True):
            if result.transient:
                self.fail(position, SearchUnavailableError(f"{action.document_id}: {result.status}"))
        for (position, action), result in zip(sent, results, strict=True):
            # Refused before the first transient failure: done. After it: comes back anyway.
            if not result.transient and result.status >= 300 and not self._after_failure(position):
                _log_refused(action, result.error or str(result.status))

    def outcomes(self) -> list[Exception | None]:
        return [self._outcome(position) for position in range(self._size)]

    def _outcome(self, position: int) -> Exception | None:
        if self._failed_at is None or position < self._failed_at:
            return None
        if position == self._failed_at:
            return self._error
        return EarlierRecordFailedError(f"record {self._failed_at} of this batch failed first")

    def _after_failure(self, position: int) -> bool:
        return self._failed_at is not None and position > self._failed_at


def _log_refused(action: IndexAction, reason: str) -> None:
    logger.error(
        "record skipped: OpenSearch refused its document",
        extra={"index": action.index, "id": action.document_id, "reason": reason},
    )
