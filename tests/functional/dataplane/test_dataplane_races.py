"""Parallel page writes of one result: the session and the pointer settle with conditional writes."""

from __future__ import annotations

from typing import Any

import pytest
from dataplane_harness import Dataplane

from api.dataplane import handler
from api.dataplane.service import PageWrite
from api.dataplane.store import AssetTable, PageSessions


def read_all(dataplane: Dataplane, asset_id: str, operator: str) -> list[Any]:
    pages = []
    query: dict[str, Any] | None = None
    for _ in range(20):
        read = dataplane.ok("GET", f"/metadata/{asset_id}/{operator}", query=query)
        pages.append(read["results"])
        if "cursor" not in read:
            return pages
        query = {"cursor": read["cursor"]}
    raise AssertionError("more than 20 pages")


def test_a_concurrent_last_page_does_not_lose_the_page_written_meanwhile(
    dataplane: Dataplane, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset_id = dataplane.create_asset()
    for page in (1, 2):
        dataplane.store(asset_id, "Text", "wf-1", f"p{page}", Paginate=True, Page=page)
    writer = handler.get_app().provider.current().writer
    real_record = PageSessions.record
    interleaved: list[int] = []

    def record_after_a_rival(self: PageSessions, *args: Any) -> Any:
        if not interleaved:
            # Another Lambda stores the last page between our S3 write and our session update.
            interleaved.append(1)
            writer.store(PageWrite(asset_id, "Text", "wf-1", "p4", paginate=True, page=4, end=True))
        return real_record(self, *args)

    monkeypatch.setattr(PageSessions, "record", record_after_a_rival)
    status, body = dataplane.store(asset_id, "Text", "wf-1", "p3", Paginate=True, Page=3)

    assert status == 200, body
    assert body["Complete"] is True
    assert read_all(dataplane, asset_id, "Text") == ["p1", "p2", "p3", "p4"]


def test_endless_contention_is_a_409(dataplane: Dataplane, monkeypatch: pytest.MonkeyPatch) -> None:
    asset_id = dataplane.create_asset()
    monkeypatch.setattr(AssetTable, "put_pointer", lambda *args: False)

    status, body = dataplane.store(asset_id, "Text", "wf-1", "p1")

    assert status == 409
    assert body["Code"] == "Conflict"
    assert dataplane.new_records() == []
