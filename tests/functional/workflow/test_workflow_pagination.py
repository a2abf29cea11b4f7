"""List pagination: plain MIE lists, a signed cursor in a header, forged cursors refused."""

from __future__ import annotations

import base64
import json

from tests.functional.workflow.workflow_helpers import WorkflowApi, operation_body

CURSOR = "X-Next-Cursor"


def _names(api: WorkflowApi, path: str, limit: int) -> tuple[list[list[str]], list[str]]:
    pages: list[list[str]] = []
    cursors: list[str] = []
    query = {"limit": str(limit)}
    while True:
        status, body, headers = api.call("GET", path, query=query)
        assert status == 200, body
        pages.append([item["Name"] for item in body])
        if CURSOR not in headers:
            return pages, cursors
        cursors.append(headers[CURSOR])
        query = {"limit": str(limit), "cursor": headers[CURSOR]}


def test_operations_page_in_name_order_without_an_empty_last_page(api: WorkflowApi) -> None:
    for name in ("E", "C", "A", "D"):
        api.ok("POST", "/workflow/operation", body=operation_body(name))
    pages, cursors = _names(api, "/workflow/operation", 2)
    assert pages == [["A", "C"], ["D", "E"]]
    assert len(cursors) == 1
    pages, _ = _names(api, "/workflow/operation", 3)
    assert pages == [["A", "C", "D"], ["E"]]
    assert [item["Name"] for item in api.ok("GET", "/workflow/operation")] == ["A", "C", "D", "E"]


def test_stage_pages_include_singleton_stages(api: WorkflowApi) -> None:
    for name in ("A", "B", "C"):
        api.ok("POST", "/workflow/operation", body=operation_body(name))
    pages, _ = _names(api, "/workflow/stage", 2)
    assert pages == [["_A", "_B"], ["_C"]]


def _first_cursor(api: WorkflowApi, path: str) -> str:
    _, _, headers = api.call("GET", path, query={"limit": "1"})
    return headers[CURSOR]


def test_tampered_foreign_and_garbage_cursors_are_400(api: WorkflowApi) -> None:
    for name in ("A", "B", "C"):
        api.ok("POST", "/workflow/operation", body=operation_body(name))
    cursor = _first_cursor(api, "/workflow/operation")
    payload, mac = cursor.split(".")
    document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    document["a"] = "B"  # skip ahead by editing the position
    forged = base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode() + "." + mac
    for bad in (forged, "garbage", "a.b.c", cursor + "x"):
        message = api.fails(400, "GET", "/workflow/operation", query={"cursor": bad})
        assert message == "invalid cursor"
    # A genuine cursor is valid only for the list that issued it.
    api.fails(400, "GET", "/workflow/stage", query={"cursor": cursor})
    assert api.call("GET", "/workflow/operation", query={"cursor": cursor})[0] == 200


def test_limit_out_of_range_is_400(api: WorkflowApi) -> None:
    for limit in ("0", "101", "many"):
        assert "limit" in api.fails(400, "GET", "/workflow", query={"limit": limit})
