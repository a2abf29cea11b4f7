"""Reading operator results back, one page per response, with signed cursors.

A cursor names the next page to read: (operator, workflow, page). It is bound to the route kind
and to the asset (and operator), so it can only continue the listing it came from. If the
operator's results were replaced by another workflow since, the cursor is stale (409).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from api.dataplane import layout
from api.dataplane.cursor import CursorCodec
from api.dataplane.errors import ConflictError, InvalidCursorError, ResourceNotFoundError
from api.dataplane.service.common import require_asset
from api.dataplane.store import AssetTable, ObjectStore, Pointer

_ASSET_CURSOR = "asset-metadata"
_OPERATOR_CURSOR = "operator-metadata"


@dataclass(frozen=True)
class ResultPage:
    asset_id: str
    operator: str
    workflow_id: str
    page: int
    results: Any
    cursor: str | None


@dataclass(frozen=True)
class _Position:
    operator: str
    workflow_id: str
    page: int


def _position(raw: dict[str, Any]) -> _Position:
    operator, workflow_id, page = raw.get("o"), raw.get("w"), raw.get("p")
    if not isinstance(operator, str) or not isinstance(workflow_id, str):
        raise InvalidCursorError()
    if not isinstance(page, int) or isinstance(page, bool) or page < 1:
        raise InvalidCursorError()
    return _Position(operator, workflow_id, page)


class MetadataReader:
    def __init__(self, objects: ObjectStore, table: AssetTable, cursors: CursorCodec) -> None:
        self._objects = objects
        self._table = table
        self._cursors = cursors

    def read_operator(self, asset_id: str, operator: str, cursor: str | None) -> ResultPage:
        scope = {"asset": asset_id, "operator": operator}
        position = _position(self._cursors.decode(cursor, _OPERATOR_CURSOR, scope)) if cursor else None
        require_asset(self._table, asset_id)
        pointer = self._table.get_pointer(asset_id, operator)
        if pointer is None:
            raise ResourceNotFoundError(f"no results for operator {operator} on asset {asset_id}")
        start = 1
        if position is not None:
            self._check_fresh(pointer, position)
            start = position.page
        found = self._first_page(pointer, start)
        if found is None:
            raise ResourceNotFoundError(f"no results for operator {operator} on asset {asset_id}")
        page, results = found
        next_cursor = None
        if page < pointer.pages:
            next_cursor = self._cursors.encode(
                _OPERATOR_CURSOR, scope, {"o": operator, "w": pointer.workflow_id, "p": page + 1}
            )
        return ResultPage(asset_id, operator, pointer.workflow_id, page, results, next_cursor)

    def read_asset(self, asset_id: str, cursor: str | None) -> ResultPage:
        scope = {"asset": asset_id}
        position = _position(self._cursors.decode(cursor, _ASSET_CURSOR, scope)) if cursor else None
        require_asset(self._table, asset_id)
        pointers = self._table.list_pointers(asset_id)
        if position is not None:
            # Operators are listed in name order; resume at the cursor's operator (or the one
            # after it, if it was deleted meanwhile).
            pointers = [p for p in pointers if p.operator >= position.operator]
        for index, pointer in enumerate(pointers):
            start = 1
            if position is not None and pointer.operator == position.operator:
                self._check_fresh(pointer, position)
                start = position.page
            found = self._first_page(pointer, start)
            if found is None:
                continue
            page, results = found
            next_cursor = None
            if page < pointer.pages:
                following: dict[str, Any] = {"o": pointer.operator, "w": pointer.workflow_id, "p": page + 1}
                next_cursor = self._cursors.encode(_ASSET_CURSOR, scope, following)
            elif index + 1 < len(pointers):
                after = pointers[index + 1]
                following = {"o": after.operator, "w": after.workflow_id, "p": 1}
                next_cursor = self._cursors.encode(_ASSET_CURSOR, scope, following)
            return ResultPage(asset_id, pointer.operator, pointer.workflow_id, page, results, next_cursor)
        raise ResourceNotFoundError(f"no results for asset {asset_id}")

    @staticmethod
    def _check_fresh(pointer: Pointer, position: _Position) -> None:
        if pointer.workflow_id != position.workflow_id:
            raise ConflictError(
                f"results of {pointer.operator} were replaced by workflow {pointer.workflow_id}; "
                "start again without a cursor"
            )

    def _first_page(self, pointer: Pointer, start: int) -> tuple[int, Any] | None:
        """The first stored page at or after `start` (pages may land out of order)."""
        for page in range(start, pointer.pages + 1):
            body = self._objects.get_bytes(layout.page_key(pointer.prefix, page))
            if body is not None:
                return page, json.loads(body)
        return None
