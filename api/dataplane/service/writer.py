"""Storing and deleting operator results.

Write order keeps readers consistent: the S3 page first, then the DynamoDB pointer that makes it
visible, then the Kinesis record; pages a pointer no longer covers are deleted last. If a step
fails the client gets a 5xx and retries, which is safe because every page write is idempotent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from api.dataplane import layout
from api.dataplane.errors import BadRequestError, ConflictError, PayloadTooLargeError, ResourceNotFoundError
from api.dataplane.events import Action, EventPublisher, MetadataEvent
from api.dataplane.service.common import Clock, require_asset, timestamp, utc_now
from api.dataplane.store import AssetTable, ObjectStore, Pointer

MAX_RESULTS_BYTES = 5 * 1024 * 1024  # keeps a page plus envelope under Lambda's 6 MB response limit
POINTER_ATTEMPTS = 8


@dataclass(frozen=True)
class PageWrite:
    asset_id: str
    operator: str
    workflow_id: str
    results: Any
    paginate: bool = False
    page: int = 1
    end: bool = False


@dataclass(frozen=True)
class WriteOutcome:
    pointer: Pointer
    page: int
    key: str


def _advance(current: Pointer | None, write: PageWrite, prefix: str, now: str) -> Pointer:
    """The pointer after `write` lands, given the stored one."""
    if not write.paginate:
        # A non-paginated write is the whole result: one page, complete.
        pages, complete = 1, True
    elif current is not None and current.workflow_id == write.workflow_id:
        pages, complete = max(current.pages, write.page), current.complete or write.end
    else:
        pages, complete = write.page, write.end
    version = 0 if current is None else current.version + 1
    return Pointer(
        asset_id=write.asset_id,
        operator=write.operator,
        workflow_id=write.workflow_id,
        pages=pages,
        complete=complete,
        prefix=prefix,
        updated=now,
        version=version,
    )


def _unchanged(current: Pointer, new: Pointer) -> bool:
    return replace(new, updated=current.updated, version=current.version) == current


class MetadataWriter:
    def __init__(
        self, objects: ObjectStore, table: AssetTable, events: EventPublisher, clock: Clock = utc_now
    ) -> None:
        self._objects = objects
        self._table = table
        self._events = events
        self._clock = clock

    def store(self, write: PageWrite) -> WriteOutcome:
        # Validate everything before the first byte is written.
        if not write.paginate and write.page != 1:
            raise BadRequestError("Page must be 1 unless Paginate is true")
        body = json.dumps(write.results, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if len(body) > MAX_RESULTS_BYTES:
            raise PayloadTooLargeError(
                f"Results are {len(body)} bytes; the limit is {MAX_RESULTS_BYTES} per page"
            )
        require_asset(self._table, write.asset_id)

        prefix = layout.operator_prefix(write.asset_id, write.workflow_id, write.operator)
        key = layout.page_key(prefix, write.page)
        self._objects.put_json(key, body)
        previous, pointer = self._swing_pointer(write, prefix)
        self._publish(Action.PUT, write.asset_id, write.operator, write.workflow_id, write.page, key)
        if previous is not None:
            self._drop_uncovered_pages(previous, pointer)
        return WriteOutcome(pointer=pointer, page=write.page, key=key)

    def delete_operator(self, asset_id: str, operator: str) -> Pointer:
        require_asset(self._table, asset_id)
        pointer = self._table.get_pointer(asset_id, operator)
        if pointer is None:
            raise ResourceNotFoundError(f"no results for operator {operator} on asset {asset_id}")
        self._objects.delete_where(
            pointer.prefix, keep=lambda key: not layout.is_page_key(pointer.prefix, key)
        )
        if not self._table.delete_pointer(pointer):
            raise ConflictError(f"results of {operator} changed while deleting; retry")
        self._publish(Action.DELETE, asset_id, operator, pointer.workflow_id, None, pointer.prefix)
        return pointer

    def delete_asset(self, asset_id: str) -> None:
        if not self._table.has_items(asset_id):
            raise ResourceNotFoundError(f"asset {asset_id} not found")
        prefix = layout.asset_prefix(asset_id)
        # Objects before items: an interrupted delete leaves the asset visible and retryable,
        # never invisible objects nobody can find again.
        self._objects.delete_where(prefix)
        self._table.delete_asset_items(asset_id)
        self._publish(Action.DELETE, asset_id, None, None, None, prefix)

    def _swing_pointer(self, write: PageWrite, prefix: str) -> tuple[Pointer | None, Pointer]:
        """Point the operator at the new page; returns (previous pointer, pointer now stored)."""
        for _ in range(POINTER_ATTEMPTS):
            current = self._table.get_pointer(write.asset_id, write.operator)
            new = _advance(current, write, prefix, timestamp(self._clock))
            if current is not None and _unchanged(current, new):
                return current, current  # idempotent rewrite: nothing to record
            expected = None if current is None else current.version
            if self._table.put_pointer(new, expected):
                return current, new
        raise ConflictError(f"too many concurrent writes to {write.operator} on {write.asset_id}; retry")

    def _drop_uncovered_pages(self, previous: Pointer, current: Pointer) -> None:
        if previous.prefix != current.prefix:
            # Another workflow's results were replaced; the new pointer is already in place.
            self._objects.delete_where(
                previous.prefix, keep=lambda k: not layout.is_page_key(previous.prefix, k)
            )
        elif current.pages < previous.pages:
            stale = [layout.page_key(current.prefix, n) for n in range(current.pages + 1, previous.pages + 1)]
            self._objects.delete_keys(stale)

    def _publish(
        self,
        action: Action,
        asset_id: str,
        operator: str | None,
        workflow_id: str | None,
        page: int | None,
        key: str,
    ) -> None:
        event = MetadataEvent(
            action=action,
            asset_id=asset_id,
            operator=operator,
            workflow_id=workflow_id,
            page=page,
            bucket=self._objects.bucket,
            key=key,
            timestamp=timestamp(self._clock),
        )
        self._events.publish(event)
