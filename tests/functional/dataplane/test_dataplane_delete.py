"""Deleting one operator's results, or a whole asset."""

from __future__ import annotations

import uuid

from dataplane_harness import BUCKET, Dataplane


def test_deleting_an_operator_removes_its_pages_and_pointer_only(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    for page in (1, 2):
        dataplane.store(asset_id, "Text", "wf-1", page, Paginate=True, Page=page, End=page == 2)
    dataplane.store(asset_id, "Labels", "wf-1", "keep")
    dataplane.new_records()

    body = dataplane.ok("DELETE", f"/metadata/{asset_id}/Text")

    assert body == {"Status": "Deleted", "AssetId": asset_id, "OperatorName": "Text"}
    assert dataplane.keys(f"private/assets/{asset_id}/workflows/wf-1/Text/") == []
    assert "OPERATOR#Text" not in dataplane.items(asset_id)
    assert dataplane.ok("GET", f"/metadata/{asset_id}")["results"] == "keep"
    assert dataplane.call("GET", f"/metadata/{asset_id}/Text")[0] == 404
    [record] = dataplane.new_records()
    assert record["Data"]["Action"] == "DELETE"
    assert record["Data"]["Operator"] == "Text"
    assert record["Data"]["WorkflowId"] == "wf-1"
    assert record["Data"]["Page"] is None
    assert record["Data"]["Pointer"] == {
        "S3Bucket": BUCKET,
        "S3Key": f"private/assets/{asset_id}/workflows/wf-1/Text/",
    }


def test_deleting_an_operator_without_results_is_404(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    assert dataplane.call("DELETE", f"/metadata/{asset_id}/Text")[0] == 404
    assert dataplane.call("DELETE", f"/metadata/{uuid.uuid4()}/Text")[0] == 404
    assert dataplane.new_records() == []


def test_deleting_an_asset_removes_every_object_and_item(dataplane: Dataplane) -> None:
    keep = dataplane.create_asset("keep.mp4")
    asset_id = dataplane.create_asset()
    dataplane.store(asset_id, "Labels", "wf-1", "x")
    dataplane.store(asset_id, "Text", "wf-1", "y", Paginate=True, Page=1)
    dataplane.put_object(f"private/assets/{asset_id}/workflows/wf-1/audio.wav")
    dataplane.new_records()

    body = dataplane.ok("DELETE", f"/metadata/{asset_id}")

    assert body == {"Status": "Deleted", "AssetId": asset_id}
    assert dataplane.keys(f"private/assets/{asset_id}/") == []
    assert dataplane.items(asset_id) == {}
    assert dataplane.keys(f"private/assets/{keep}/") != []
    assert dataplane.ok("GET", "/metadata") == {"assets": [keep]}
    assert dataplane.call("GET", f"/metadata/{asset_id}")[0] == 404
    [record] = dataplane.new_records()
    assert record["PartitionKey"] == asset_id
    data = record["Data"]
    assert (data["Action"], data["AssetId"], data["Operator"], data["WorkflowId"]) == (
        "DELETE",
        asset_id,
        None,
        None,
    )
    assert data["Pointer"] == {"S3Bucket": BUCKET, "S3Key": f"private/assets/{asset_id}/"}


def test_deleting_an_unknown_asset_is_404(dataplane: Dataplane) -> None:
    status, body = dataplane.call("DELETE", f"/metadata/{uuid.uuid4()}")
    assert status == 404
    assert body["Code"] == "NotFound"
    assert dataplane.new_records() == []


def test_deleting_with_a_bad_id_is_400(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    dataplane.store(asset_id, "Labels", "wf-1", "x")
    for path in (
        "/metadata/../x",
        "/metadata/abc",
        f"/metadata/{asset_id}/bad%20name",
        f"/metadata/{asset_id}/..",
    ):
        status, body = dataplane.call("DELETE", path)
        assert status == 400, (path, body)
    assert "OPERATOR#Labels" in dataplane.items(asset_id)
