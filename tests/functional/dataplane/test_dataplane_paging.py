"""MIE paging: pages appended across Lambda invocations, isolated per workflow execution."""

from __future__ import annotations

from typing import Any

import pytest
from dataplane_harness import Dataplane
from medialens_helper import DataPlane, InProcessTransport

from api.dataplane import handler


def new_client() -> DataPlane:
    # Each Lambda invocation of an MIE operator builds its own DataPlane().
    return DataPlane(InProcessTransport(handler.lambda_handler))


def read_all(dataplane: Dataplane, asset_id: str, operator: str) -> list[tuple[str, Any]]:
    pages, query = [], None
    for _ in range(50):
        body = dataplane.ok("GET", f"/metadata/{asset_id}/{operator}", query=query)
        pages.append((body["workflow_id"], body["results"]))
        if "cursor" not in body:
            return pages
        query = {"cursor": body["cursor"]}
    raise AssertionError("more than 50 pages")


def test_pages_from_separate_invocations_are_appended_in_order(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    new_client().store_asset_metadata(asset_id, "Rekognition", "exec-1", {"n": 1}, paginate=True)
    new_client().store_asset_metadata(asset_id, "Rekognition", "exec-1", {"n": 2}, paginate=True)
    last = new_client().store_asset_metadata(
        asset_id, "Rekognition", "exec-1", {"n": 3}, paginate=True, end=True
    )

    assert (last["Page"], last["Complete"]) == (3, True)
    assert read_all(dataplane, asset_id, "Rekognition") == [("exec-1", {"n": n}) for n in (1, 2, 3)]


def test_mie_query_parameters_without_a_page_append(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    body = {"OperatorName": "Text", "WorkflowId": "exec-1"}
    for n, query in enumerate(
        [{"paginated": "true"}, {"paginated": "true"}, {"paginated": "true", "end": "true"}], start=1
    ):
        answer = dataplane.ok("POST", f"/metadata/{asset_id}", body={**body, "Results": n}, query=query)
        assert answer["Page"] == n

    assert read_all(dataplane, asset_id, "Text") == [("exec-1", 1), ("exec-1", 2), ("exec-1", 3)]


def test_an_unfinished_paged_result_is_not_visible_and_keeps_the_previous_one(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    dataplane.store(asset_id, "Text", "exec-old", "old")
    new_client().store_asset_metadata(asset_id, "Text", "exec-new", "new-1", paginate=True)

    assert read_all(dataplane, asset_id, "Text") == [("exec-old", "old")]


def test_interleaved_executions_never_mix_their_pages(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    a, b = "exec-a", "exec-b"
    new_client().store_asset_metadata(asset_id, "Faces", a, "a1", paginate=True)
    new_client().store_asset_metadata(asset_id, "Faces", b, "b1", paginate=True)
    new_client().store_asset_metadata(asset_id, "Faces", a, "a2", paginate=True)
    new_client().store_asset_metadata(asset_id, "Faces", b, "b2", paginate=True, end=True)

    assert read_all(dataplane, asset_id, "Faces") == [(b, "b1"), (b, "b2")]

    new_client().store_asset_metadata(asset_id, "Faces", a, "a3", paginate=True, end=True)

    assert read_all(dataplane, asset_id, "Faces") == [(a, "a1"), (a, "a2"), (a, "a3")]
    # The replaced execution's pages are gone; nothing of it can be read back piecewise.
    assert dataplane.keys(f"private/assets/{asset_id}/workflows/{b}/") == []


def test_a_page_after_the_end_of_a_paged_result_is_a_409(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    client = new_client()
    client.store_asset_metadata(asset_id, "Text", "exec-1", "p1", paginate=True)
    client.store_asset_metadata(asset_id, "Text", "exec-1", "p2", paginate=True, end=True)

    status, body = dataplane.store(asset_id, "Text", "exec-1", "late", Paginate=True)

    assert status == 409
    assert "exec-1" in body["Message"] and "complete" in body["Message"]
    assert read_all(dataplane, asset_id, "Text") == [("exec-1", "p1"), ("exec-1", "p2")]


def test_appending_to_a_result_numbered_by_page_is_a_409(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    dataplane.store(asset_id, "Text", "exec-1", "p1", Paginate=True, Page=1)

    status, body = dataplane.store(asset_id, "Text", "exec-1", "p?", Paginate=True)

    assert status == 409
    assert "Page" in body["Message"]
    status, body = dataplane.store(asset_id, "Text", "exec-1", "p2", Paginate=True, Page=2, End=True)
    assert status == 200, body
    assert read_all(dataplane, asset_id, "Text") == [("exec-1", "p1"), ("exec-1", "p2")]


def test_a_numbered_page_after_an_appended_one_is_a_409(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    dataplane.store(asset_id, "Text", "exec-1", "p1", Paginate=True)

    status, body = dataplane.store(asset_id, "Text", "exec-1", "p1 again", Paginate=True, Page=1)

    assert status == 409
    assert "Page" in body["Message"]


def test_a_numbered_page_past_the_end_is_a_409(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    dataplane.store(asset_id, "Text", "exec-1", "p1", Paginate=True, Page=1)
    dataplane.store(asset_id, "Text", "exec-1", "p2", Paginate=True, Page=2, End=True)

    status, body = dataplane.store(asset_id, "Text", "exec-1", "p3", Paginate=True, Page=3)

    assert status == 409
    assert "2" in body["Message"]


def test_a_failed_page_write_leaves_no_hole_in_the_result(
    dataplane: Dataplane, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset_id = dataplane.create_asset()
    client = new_client()
    client.store_asset_metadata(asset_id, "Text", "exec-1", "p1", paginate=True)
    objects = type(handler.get_app().provider.current().objects)
    real_put = objects.put_json
    failures = iter([RuntimeError("S3 is down")])

    def flaky_put(self: Any, key: str, body: bytes) -> None:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        real_put(self, key, body)

    monkeypatch.setattr(objects, "put_json", flaky_put)
    assert dataplane.store(asset_id, "Text", "exec-1", "p2", Paginate=True)[0] == 500
    client.store_asset_metadata(asset_id, "Text", "exec-1", "p2", paginate=True)
    client.store_asset_metadata(asset_id, "Text", "exec-1", "p3", paginate=True, end=True)

    assert read_all(dataplane, asset_id, "Text") == [("exec-1", "p1"), ("exec-1", "p2"), ("exec-1", "p3")]


def test_a_retried_last_page_is_no_new_page(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    new_client().store_asset_metadata(asset_id, "Text", "exec-1", "p1", paginate=True)
    first = new_client().store_asset_metadata(asset_id, "Text", "exec-1", "p2", paginate=True, end=True)

    # The monitor Lambda is retried after its call stored the last page.
    again = new_client().store_asset_metadata(asset_id, "Text", "exec-1", "p2", paginate=True, end=True)

    assert (again["Page"], again["Complete"], again["S3Key"]) == (first["Page"], True, first["S3Key"])
    assert read_all(dataplane, asset_id, "Text") == [("exec-1", "p1"), ("exec-1", "p2")]
    status, _ = dataplane.store(asset_id, "Text", "exec-1", "other", Paginate=True, End=True)
    assert status == 409


def test_end_alone_is_a_whole_result_that_may_be_stored_again(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    for results in ("once", "twice"):
        answer = new_client().store_asset_metadata(asset_id, "Labels", "exec-1", results, end=True)
        assert (answer["Page"], answer["Complete"]) == (1, True)
    assert read_all(dataplane, asset_id, "Labels") == [("exec-1", "twice")]
    assert "PAGES#Labels#exec-1" not in dataplane.items(asset_id)
