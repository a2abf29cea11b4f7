"""Cursors are signed and bound to their route, asset and operator."""

from __future__ import annotations

import base64
import json

import pytest
from dataplane_harness import Dataplane

INVALID = (400, {"Code": "InvalidCursor", "Message": "invalid cursor"})


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def paged(dataplane: Dataplane) -> tuple[Dataplane, str, str]:
    """An asset with three pages of Text results; returns (dataplane, asset id, first cursor)."""
    asset_id = dataplane.create_asset()
    for page in (1, 2, 3):
        dataplane.store(asset_id, "Text", "wf-1", f"p{page}", Paginate=True, Page=page, End=page == 3)
    dataplane.store(asset_id, "Labels", "wf-1", "l1")
    cursor = dataplane.ok("GET", f"/metadata/{asset_id}/Text")["cursor"]
    return dataplane, asset_id, cursor


def test_a_cursor_continues_where_it_was_issued(paged: tuple[Dataplane, str, str]) -> None:
    dataplane, asset_id, cursor = paged
    body = dataplane.ok("GET", f"/metadata/{asset_id}/Text", query={"cursor": cursor})
    assert (body["page"], body["results"]) == (2, "p2")


def test_a_tampered_position_is_refused(paged: tuple[Dataplane, str, str]) -> None:
    dataplane, asset_id, cursor = paged
    payload, mac = cursor.split(".")
    document = json.loads(unb64(payload))
    document["p"]["p"] = 3
    forged = f"{b64(json.dumps(document, separators=(',', ':'), sort_keys=True).encode())}.{mac}"

    assert dataplane.call("GET", f"/metadata/{asset_id}/Text", query={"cursor": forged}) == INVALID


def test_a_cursor_signed_with_another_key_is_refused(paged: tuple[Dataplane, str, str]) -> None:
    dataplane, asset_id, cursor = paged
    from api.dataplane.cursor import CursorCodec

    payload = json.loads(unb64(cursor.split(".")[0]))
    forged = CursorCodec(b"guessed-key").encode(payload["k"], payload["s"], payload["p"])

    assert dataplane.call("GET", f"/metadata/{asset_id}/Text", query={"cursor": forged}) == INVALID


@pytest.mark.parametrize("garbage", ["x", "a.b.c", "!!!.???", "e30.", ".", "e30." + "A" * 43])
def test_garbage_cursors_are_refused(paged: tuple[Dataplane, str, str], garbage: str) -> None:
    dataplane, asset_id, _ = paged
    assert dataplane.call("GET", f"/metadata/{asset_id}/Text", query={"cursor": garbage}) == INVALID


def test_a_cursor_from_another_asset_is_refused(paged: tuple[Dataplane, str, str]) -> None:
    dataplane, _, cursor = paged
    other = dataplane.create_asset("other.mp4")
    for page in (1, 2):
        dataplane.store(other, "Text", "wf-1", f"secret{page}", Paginate=True, Page=page)

    assert dataplane.call("GET", f"/metadata/{other}/Text", query={"cursor": cursor}) == INVALID
    assert dataplane.call("GET", f"/metadata/{other}", query={"cursor": cursor}) == INVALID


def test_a_cursor_from_another_operator_is_refused(paged: tuple[Dataplane, str, str]) -> None:
    dataplane, asset_id, cursor = paged
    assert dataplane.call("GET", f"/metadata/{asset_id}/Labels", query={"cursor": cursor}) == INVALID


def test_an_asset_cursor_is_refused_on_the_operator_route_and_the_list(
    paged: tuple[Dataplane, str, str],
) -> None:
    dataplane, asset_id, _ = paged
    asset_cursor = dataplane.ok("GET", f"/metadata/{asset_id}")["cursor"]
    assert dataplane.call("GET", f"/metadata/{asset_id}/Labels", query={"cursor": asset_cursor}) == INVALID
    assert dataplane.call("GET", "/metadata", query={"cursor": asset_cursor}) == INVALID


def test_a_cursor_into_replaced_results_is_a_conflict(paged: tuple[Dataplane, str, str]) -> None:
    dataplane, asset_id, cursor = paged
    dataplane.store(asset_id, "Text", "wf-2", "fresh")

    status, body = dataplane.call("GET", f"/metadata/{asset_id}/Text", query={"cursor": cursor})

    assert status == 409
    assert body["Code"] == "Conflict"
