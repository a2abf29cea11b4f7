"""Parallel page writes of one operator: the pointer is updated with optimistic concurrency."""

from __future__ import annotations

from typing import Any

import pytest
from dataplane_harness import Dataplane

from api.dataplane import handler
from api.dataplane.service import PageWrite
from api.dataplane.store import AssetTable, Pointer


def test_a_concurrent_page_write_is_not_lost(dataplane: Dataplane, monkeypatch: pytest.MonkeyPatch) -> None:
    asset_id = dataplane.create_asset()
    dataplane.store(asset_id, "Text", "wf-1", "p1", Paginate=True, Page=1)
    writer = handler.get_app().provider.current().writer
    real_put = AssetTable.put_pointer
    interleaved: list[int] = []

    def put_after_a_rival(self: AssetTable, pointer: Pointer, expected: int | None) -> bool:
        if not interleaved:
            # Another Lambda stores page 5 between our read of the pointer and our write.
            interleaved.append(1)
            writer.store(PageWrite(asset_id, "Text", "wf-1", "p5", paginate=True, page=5))
        return real_put(self, pointer, expected)

    monkeypatch.setattr(AssetTable, "put_pointer", put_after_a_rival)
    status, body = dataplane.store(asset_id, "Text", "wf-1", "p3", Paginate=True, Page=3)

    assert status == 200, body
    item = dataplane.items(asset_id)["OPERATOR#Text"]
    assert int(item["Pages"]["N"]) == 5
    pages = []
    query: dict[str, Any] | None = None
    while True:
        read = dataplane.ok("GET", f"/metadata/{asset_id}/Text", query=query)
        pages.append(read["results"])
        if "cursor" not in read:
            break
        query = {"cursor": read["cursor"]}
    assert pages == ["p1", "p3", "p5"]


def test_endless_contention_is_a_409(dataplane: Dataplane, monkeypatch: pytest.MonkeyPatch) -> None:
    asset_id = dataplane.create_asset()
    monkeypatch.setattr(AssetTable, "put_pointer", lambda *args: False)

    status, body = dataplane.store(asset_id, "Text", "wf-1", "p1", Paginate=True, Page=1)

    assert status == 409
    assert body["Code"] == "Conflict"
    assert dataplane.new_records() == []
