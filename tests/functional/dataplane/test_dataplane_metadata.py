"""Storing operator results and reading them back page by page."""

from __future__ import annotations

import uuid

import pytest
from dataplane_harness import BUCKET, Dataplane


def prefix(asset_id: str, workflow: str, operator: str) -> str:
    return f"private/assets/{asset_id}/workflows/{workflow}/{operator}/"


def pointer(dataplane: Dataplane, asset_id: str, operator: str) -> dict[str, object]:
    item = dataplane.items(asset_id)[f"OPERATOR#{operator}"]
    return {
        "WorkflowId": item["WorkflowId"]["S"],
        "Pages": int(item["Pages"]["N"]),
        "Complete": item["Complete"]["BOOL"],
        "Prefix": item["Prefix"]["S"],
    }


def test_single_result_is_stored_as_one_complete_page(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()

    status, body = dataplane.store(asset_id, "Labels", "wf-1", {"Labels": ["cat"]})

    key = prefix(asset_id, "wf-1", "Labels") + "page-000001.json"
    assert status == 200
    assert body == {
        "Status": "Success",
        "AssetId": asset_id,
        "OperatorName": "Labels",
        "WorkflowId": "wf-1",
        "Page": 1,
        "Complete": True,
        "S3Bucket": BUCKET,
        "S3Key": key,
    }
    assert dataplane.read_json(key) == {"Labels": ["cat"]}
    assert pointer(dataplane, asset_id, "Labels") == {
        "WorkflowId": "wf-1",
        "Pages": 1,
        "Complete": True,
        "Prefix": prefix(asset_id, "wf-1", "Labels"),
    }
    assert dataplane.ok("GET", f"/metadata/{asset_id}/Labels") == {
        "asset_id": asset_id,
        "operator": "Labels",
        "workflow_id": "wf-1",
        "page": 1,
        "results": {"Labels": ["cat"]},
    }


def test_three_pages_read_back_in_order_and_the_last_has_no_cursor(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    for page in (1, 2, 3):
        _, body = dataplane.store(
            asset_id, "Text", "wf-1", [f"p{page}"], Paginate=True, Page=page, End=page == 3
        )
        assert body["Complete"] is (page == 3)

    read, query = [], None
    for _ in range(10):
        body = dataplane.ok("GET", f"/metadata/{asset_id}/Text", query=query)
        read.append((body["page"], body["results"]))
        if "cursor" not in body:
            break
        query = {"cursor": body["cursor"]}

    assert read == [(1, ["p1"]), (2, ["p2"]), (3, ["p3"])]
    assert dataplane.keys(prefix(asset_id, "wf-1", "Text")) == [
        prefix(asset_id, "wf-1", "Text") + f"page-00000{n}.json" for n in (1, 2, 3)
    ]


def test_pages_written_out_of_order_read_back_in_order(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    for page in (3, 1, 2):
        dataplane.store(asset_id, "Text", "wf-1", page, Paginate=True, Page=page, End=page == 3)
    first = dataplane.ok("GET", f"/metadata/{asset_id}/Text")
    second = dataplane.ok("GET", f"/metadata/{asset_id}/Text", query={"cursor": first["cursor"]})
    third = dataplane.ok("GET", f"/metadata/{asset_id}/Text", query={"cursor": second["cursor"]})
    assert [first["results"], second["results"], third["results"]] == [1, 2, 3]
    assert pointer(dataplane, asset_id, "Text")["Pages"] == 3


def test_mie_query_parameters_mean_paginate_and_end(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    body = {"OperatorName": "Text", "WorkflowId": "wf-1", "Results": "a", "Page": 1}
    dataplane.ok("POST", f"/metadata/{asset_id}", body=body, query={"paginated": "true"})
    # Not visible until its last page is stored (MIE moved its pointer only on end).
    assert "OPERATOR#Text" not in dataplane.items(asset_id)
    assert dataplane.call("GET", f"/metadata/{asset_id}/Text")[0] == 404

    answer = dataplane.ok(
        "POST", f"/metadata/{asset_id}", body={**body, "Page": 2}, query={"paginated": "true", "end": "true"}
    )
    assert answer["Complete"] is True
    assert pointer(dataplane, asset_id, "Text")["Pages"] == 2


def test_rewriting_a_page_is_idempotent(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    dataplane.store(asset_id, "Text", "wf-1", "p1", Paginate=True, Page=1)
    dataplane.store(asset_id, "Text", "wf-1", "p2", Paginate=True, Page=2, End=True)
    before = dataplane.items(asset_id)["OPERATOR#Text"]

    status, body = dataplane.store(asset_id, "Text", "wf-1", "p2 again", Paginate=True, Page=2, End=True)

    assert status == 200
    assert body["Page"] == 2
    assert dataplane.items(asset_id)["OPERATOR#Text"] == before
    assert dataplane.keys(prefix(asset_id, "wf-1", "Text")) == [
        prefix(asset_id, "wf-1", "Text") + "page-000001.json",
        prefix(asset_id, "wf-1", "Text") + "page-000002.json",
    ]
    assert dataplane.read_json(body["S3Key"]) == "p2 again"


def test_a_new_workflow_replaces_the_previous_results(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    for page in (1, 2, 3):
        dataplane.store(asset_id, "Text", "wf-old", f"old{page}", Paginate=True, Page=page, End=page == 3)
    # Media an operator stored beside its pages is not a result page and must survive.
    dataplane.put_object(prefix(asset_id, "wf-old", "Text") + "transcript.vtt")

    dataplane.store(asset_id, "Text", "wf-new", "new")

    assert pointer(dataplane, asset_id, "Text") == {
        "WorkflowId": "wf-new",
        "Pages": 1,
        "Complete": True,
        "Prefix": prefix(asset_id, "wf-new", "Text"),
    }
    assert dataplane.keys(prefix(asset_id, "wf-old", "Text")) == [
        prefix(asset_id, "wf-old", "Text") + "transcript.vtt"
    ]
    body = dataplane.ok("GET", f"/metadata/{asset_id}/Text")
    assert (body["workflow_id"], body["results"], "cursor" in body) == ("wf-new", "new", False)


def test_a_single_result_after_pages_of_the_same_workflow_drops_the_extra_pages(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    for page in (1, 2):
        dataplane.store(asset_id, "Text", "wf-1", page, Paginate=True, Page=page)
    dataplane.store(asset_id, "Text", "wf-1", "all")
    assert "PAGES#Text#wf-1" not in dataplane.items(asset_id)
    assert pointer(dataplane, asset_id, "Text")["Pages"] == 1
    assert dataplane.keys(prefix(asset_id, "wf-1", "Text")) == [
        prefix(asset_id, "wf-1", "Text") + "page-000001.json"
    ]


def test_results_may_be_any_json(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    for value in ("text", 42, [1, {"a": None}], {"nested": {"ü": "ß"}}):
        dataplane.store(asset_id, "Any", "wf-1", value)
        assert dataplane.ok("GET", f"/metadata/{asset_id}/Any")["results"] == value


def test_reading_the_asset_walks_every_operator_in_name_order(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    dataplane.store(asset_id, "Faces", "wf-1", "f1", Paginate=True, Page=1)
    dataplane.store(asset_id, "Faces", "wf-1", "f2", Paginate=True, Page=2, End=True)
    dataplane.store(asset_id, "Celebs", "wf-1", "c1")
    dataplane.store(asset_id, "Text", "wf-2", "t1")

    seen, query = [], None
    for _ in range(10):
        body = dataplane.ok("GET", f"/metadata/{asset_id}", query=query)
        seen.append((body["operator"], body["workflow_id"], body["page"], body["results"]))
        if "cursor" not in body:
            break
        query = {"cursor": body["cursor"]}

    assert seen == [
        ("Celebs", "wf-1", 1, "c1"),
        ("Faces", "wf-1", 1, "f1"),
        ("Faces", "wf-1", 2, "f2"),
        ("Text", "wf-2", 1, "t1"),
    ]


def test_reading_an_asset_without_results_is_404(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    assert dataplane.call("GET", f"/metadata/{asset_id}")[0] == 404
    assert dataplane.call("GET", f"/metadata/{asset_id}/Labels")[0] == 404


def test_reading_an_unknown_asset_is_404(dataplane: Dataplane) -> None:
    status, body = dataplane.call("GET", f"/metadata/{uuid.uuid4()}")
    assert status == 404
    assert body["Code"] == "NotFound"


def test_storing_for_an_unknown_asset_is_404_and_writes_nothing(dataplane: Dataplane) -> None:
    unknown = str(uuid.uuid4())
    status, body = dataplane.store(unknown, "Labels", "wf-1", {"a": 1})
    assert status == 404
    assert unknown in body["Message"]
    assert dataplane.keys("private/") == []
    assert dataplane.new_records() == []


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"OperatorName": "../Labels"}, "OperatorName"),
        ({"OperatorName": ""}, "OperatorName"),
        ({"OperatorName": "a" * 129}, "OperatorName"),
        ({"WorkflowId": "wf/1"}, "WorkflowId"),
        ({"Page": 0, "Paginate": True}, "Page"),
        ({"Page": "two", "Paginate": True}, "Page"),
        ({"Page": 2}, "Page"),
    ],
)
def test_bad_metadata_bodies_are_400_and_write_nothing(
    dataplane: Dataplane, override: dict[str, object], field: str
) -> None:
    asset_id = dataplane.create_asset()
    body = {"OperatorName": "Labels", "WorkflowId": "wf-1", "Results": {"a": 1}, **override}

    status, answer = dataplane.call("POST", f"/metadata/{asset_id}", body=body)

    assert status == 400, answer
    assert field in answer["Message"]
    assert dataplane.keys(f"private/assets/{asset_id}/workflows/") == []
    assert "OPERATOR#Labels" not in dataplane.items(asset_id)
    assert dataplane.new_records() == []


@pytest.mark.parametrize("missing", ["OperatorName", "WorkflowId", "Results"])
def test_missing_metadata_fields_are_named(dataplane: Dataplane, missing: str) -> None:
    asset_id = dataplane.create_asset()
    body = {"OperatorName": "Labels", "WorkflowId": "wf-1", "Results": {"a": 1}}
    del body[missing]
    status, answer = dataplane.call("POST", f"/metadata/{asset_id}", body=body)
    assert status == 400
    assert missing in answer["Message"]


def test_malformed_json_is_400(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    status, body = dataplane.call("POST", f"/metadata/{asset_id}", raw='{"OperatorName": ')
    assert status == 400
    assert "not valid JSON" in body["Message"]


def test_a_bad_asset_id_in_the_path_is_400(dataplane: Dataplane) -> None:
    status, body = dataplane.store("not-a-uuid", "Labels", "wf-1", 1)
    assert status == 400
    assert "asset_id" in body["Message"]


def test_oversized_results_are_413_and_write_nothing(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    status, body = dataplane.store(asset_id, "Big", "wf-1", "x" * (5 * 1024 * 1024 + 1))
    assert status == 413
    assert body["Code"] == "PayloadTooLarge"
    assert dataplane.keys(f"private/assets/{asset_id}/workflows/") == []
    assert dataplane.new_records() == []
