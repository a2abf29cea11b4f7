"""Storing and deleting operator results.

A whole result (no `Paginate`) is one page, visible at once. A paged result is written page by
page into its workflow execution's own prefix, tracked by a page session (see
`api.dataplane.store.page_sessions`), and becomes visible only when it is complete: the operator's
pointer item is then swung to it in one conditional write, so a reader sees either the previous
result or the whole new one, never pages of two executions. MIE's dataplane did the same (its
pointer moved only on `end`); pages without `Page` are appended, as MIE appended them.

Write order: the S3 page, then the session, then (on completion) the pointer, then the Kinesis
records, then the pages the pointer no longer covers are deleted.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from typing import Any

from api.dataplane import layout
from api.dataplane.errors import BadRequestError, ConflictError, PayloadTooLargeError, ResourceNotFoundError
from api.dataplane.events import Action, EventPublisher, MetadataEvent
from api.dataplane.service.asset_guard import ActiveExecutionGuard
from api.dataplane.service.common import Clock, require_asset, timestamp, utc_now
from api.dataplane.store import AssetTable, ObjectStore, PageSession, PageSessions, Pointer

MAX_RESULTS_BYTES = 5 * 1024 * 1024  # keeps a page plus envelope under Lambda's 6 MB response limit
POINTER_ATTEMPTS = 8

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageWrite:
    """One write. `page` None with `paginate`: append after the pages already stored."""

    asset_id: str
    operator: str
    workflow_id: str
    results: Any
    paginate: bool = False
    page: int | None = None
    end: bool = False


@dataclass(frozen=True)
class WriteOutcome:
    page: int
    key: str
    complete: bool


class MetadataWriter:
    def __init__(
        self,
        objects: ObjectStore,
        table: AssetTable,
        sessions: PageSessions,
        events: EventPublisher,
        clock: Clock = utc_now,
        guard: ActiveExecutionGuard | None = None,
    ) -> None:
        self._guard = guard
        self._objects = objects
        self._table = table
        self._sessions = sessions
        self._events = events
        self._clock = clock

    def store(self, write: PageWrite) -> WriteOutcome:
        # Validate everything before the first byte is written.
        if not write.paginate and write.page not in (None, 1):
            raise BadRequestError("Page must be 1 unless Paginate is true")
        body = json.dumps(write.results, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if len(body) > MAX_RESULTS_BYTES:
            raise PayloadTooLargeError(
                f"Results are {len(body)} bytes; the limit is {MAX_RESULTS_BYTES} per page"
            )
        require_asset(self._table, write.asset_id)
        prefix = layout.operator_prefix(write.asset_id, write.workflow_id, write.operator)
        where = (write.asset_id, write.operator, write.workflow_id)
        if write.paginate and write.page is None and write.end:
            session = self._sessions.get(*where)
            if session is None:
                # A one-page paged result (MIE's `end=True` alone) is a whole result: idempotent.
                return self.store(replace(write, paginate=False, end=False))
            repeated = self._repeated_last_page(session, prefix, body)
            if repeated is not None:
                return repeated
        if write.paginate:
            return self._store_page(write, prefix, body)
        key = layout.page_key(prefix, 1)
        self._objects.put_json(key, body)
        self._complete(write.asset_id, write.operator, write.workflow_id, prefix, [1], rewritten=1)
        # A whole result ends any paged one the same execution had begun.
        self._sessions.delete(write.asset_id, write.operator, write.workflow_id)
        return WriteOutcome(page=1, key=key, complete=True)

    def _store_page(self, write: PageWrite, prefix: str, body: bytes) -> WriteOutcome:
        where = (write.asset_id, write.operator, write.workflow_id)
        if write.page is None:
            page = self._sessions.allocate(*where)
        else:
            page = write.page
            self._sessions.claim(*where, page, write.end)
        key = layout.page_key(prefix, page)
        try:
            self._objects.put_json(key, body)
        except Exception:
            if write.page is None:
                self._abandon(where, page)
            raise
        session = self._sessions.record(*where, page, write.end)
        if session.complete:
            self._complete(*where, prefix, session.pages, rewritten=page)
        return WriteOutcome(page=page, key=key, complete=session.complete)

    def _repeated_last_page(self, session: PageSession, prefix: str, body: bytes) -> WriteOutcome | None:
        """The outcome already stored, when a complete appended result's last page is sent again.

        A Lambda retried after its last page was stored sends the same bytes; that is no new page.
        """
        if session.end_page is None or not session.complete:
            return None
        key = layout.page_key(prefix, session.end_page)
        if self._objects.get_bytes(key) != body:
            return None
        return WriteOutcome(page=session.end_page, key=key, complete=True)

    def _abandon(self, where: tuple[str, str, str], page: int) -> None:
        # The client retries with a new page; this one must not hold the result back forever.
        try:
            self._sessions.abandon(*where, page)
        except Exception:
            logger.exception("could not give up page %s of %s", page, where)

    def _complete(
        self,
        asset_id: str,
        operator: str,
        workflow_id: str,
        prefix: str,
        pages: list[int],
        rewritten: int | None = None,
    ) -> None:
        """Make `pages` under `prefix` the operator's result, then drop what it replaced."""
        target = Pointer(asset_id, operator, workflow_id, max(pages), True, prefix)
        previous, changed = self._swing_pointer(target)
        # Already visible before: only the page written now changed.
        published = pages if changed else [page for page in (rewritten,) if page is not None]
        for page in published:
            self._publish(Action.PUT, asset_id, operator, workflow_id, page, layout.page_key(prefix, page))
        if previous is not None and previous.prefix != prefix:
            # Another execution's result was replaced; the new pointer is already in place.
            self._objects.delete_where(
                previous.prefix, keep=lambda k: not layout.is_page_key(previous.prefix, k)
            )
            self._sessions.delete(asset_id, operator, previous.workflow_id)
        kept = set(pages)
        self._objects.delete_where(prefix, keep=lambda k: layout.page_number(prefix, k) in kept | {None})

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
        self._sessions.delete(asset_id, operator, pointer.workflow_id)
        self._publish(Action.DELETE, asset_id, operator, pointer.workflow_id, None, pointer.prefix)
        return pointer

    def delete_asset(self, asset_id: str) -> None:
        if not self._table.has_items(asset_id):
            raise ResourceNotFoundError(f"asset {asset_id} not found")
        if self._guard is not None:
            self._guard.check(asset_id)
        prefix = layout.asset_prefix(asset_id)
        # Objects before items: an interrupted delete leaves the asset visible and retryable,
        # never invisible objects nobody can find again.
        self._objects.delete_where(prefix)
        self._table.delete_asset_items(asset_id)
        self._publish(Action.DELETE, asset_id, None, None, None, prefix)

    def _swing_pointer(self, target: Pointer) -> tuple[Pointer | None, bool]:
        """Point the operator at `target`; returns (previous pointer, whether it changed)."""
        for _ in range(POINTER_ATTEMPTS):
            current = self._table.get_pointer(target.asset_id, target.operator)
            if current is not None and current == replace(
                target, updated=current.updated, version=current.version
            ):
                return current, False
            new = replace(
                target,
                updated=timestamp(self._clock),
                version=0 if current is None else current.version + 1,
            )
            if self._table.put_pointer(new, None if current is None else current.version):
                return current, True
        raise ConflictError(f"too many concurrent writes to {target.operator} on {target.asset_id}; retry")

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
