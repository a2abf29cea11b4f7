"""Health, asset creation, listing and media paths."""

from __future__ import annotations

import uuid

import pytest
from dataplane_harness import BUCKET, Dataplane

from api.dataplane.service import assets as assets_service


def test_health_answers_ok(dataplane: Dataplane) -> None:
    assert dataplane.call("GET", "/") == (200, {"Status": "OK"})


def test_create_copies_the_media_and_records_the_asset(dataplane: Dataplane) -> None:
    dataplane.put_object("upload/clip.mp4", b"frames")

    status, body = dataplane.call(
        "POST", "/create", body={"Input": {"S3Bucket": BUCKET, "S3Key": "upload/clip.mp4"}}
    )

    assert status == 200
    asset_id = body["AssetId"]
    assert uuid.UUID(asset_id).version == 4
    assert body == {
        "AssetId": asset_id,
        "S3Bucket": BUCKET,
        "S3Key": f"private/assets/{asset_id}/input/clip.mp4",
        "MediaType": "Video",
    }
    assert dataplane.s3.get_object(Bucket=BUCKET, Key=body["S3Key"])["Body"].read() == b"frames"
    item = dataplane.items(asset_id)["ASSET"]
    assert item["S3Key"]["S"] == body["S3Key"]
    assert item["AssetListPartition"]["S"] == "ASSETS"
    assert item["Created"]["S"].endswith("Z")


def test_create_names_the_missing_source_key(dataplane: Dataplane) -> None:
    status, body = dataplane.call(
        "POST", "/create", body={"Input": {"S3Bucket": BUCKET, "S3Key": "upload/nope/a.mp4"}}
    )

    assert status == 404
    assert body["Code"] == "NotFound"
    assert "upload/nope/a.mp4" in body["Message"]
    assert dataplane.keys("private/") == []


def test_create_refuses_another_bucket(dataplane: Dataplane) -> None:
    dataplane.put_object("upload/a.mp4")
    status, body = dataplane.call(
        "POST", "/create", body={"Input": {"S3Bucket": "elsewhere", "S3Key": "upload/a.mp4"}}
    )
    assert status == 400
    assert "dataplane bucket" in body["Message"]
    assert dataplane.keys("private/") == []


@pytest.mark.parametrize("key", ["../secret.mp4", "a/../../b.mp4", "/abs/a.mp4", "folder/", "x" * 1025])
def test_create_refuses_keys_that_escape_or_name_no_object(dataplane: Dataplane, key: str) -> None:
    status, body = dataplane.call("POST", "/create", body={"Input": {"S3Bucket": BUCKET, "S3Key": key}})
    assert status == 400, body
    assert body["Code"] == "BadRequest"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"Input": {"S3Bucket": "b"', "not valid JSON"),
        ('{"Input": {"S3Bucket": "b"}}', "Input.S3Key"),
        ("{}", "Input"),
        ('{"Input": "x"}', "Input"),
    ],
)
def test_create_rejects_bad_bodies_with_400_naming_the_field(
    dataplane: Dataplane, raw: str, field: str
) -> None:
    status, body = dataplane.call("POST", "/create", raw=raw)
    assert status == 400
    assert body["Code"] == "BadRequest"
    assert field in body["Message"]


def test_list_returns_newest_first_and_pages_with_signed_cursors(dataplane: Dataplane) -> None:
    created = [dataplane.create_asset(f"v{n}.mp4") for n in range(5)]

    first = dataplane.ok("GET", "/metadata", query={"limit": "2"})
    second = dataplane.ok("GET", "/metadata", query={"limit": "2", "cursor": first["cursor"]})
    third = dataplane.ok("GET", "/metadata", query={"limit": "2", "cursor": second["cursor"]})

    assert first["assets"] + second["assets"] + third["assets"] == created[::-1]
    assert "cursor" not in third
    assert dataplane.ok("GET", "/metadata") == {"assets": created[::-1]}


def test_list_cursor_is_absent_when_the_last_page_is_exactly_full(dataplane: Dataplane) -> None:
    created = [dataplane.create_asset(f"v{n}.mp4") for n in range(2)]
    assert dataplane.ok("GET", "/metadata", query={"limit": "2"}) == {"assets": created[::-1]}


def test_list_of_no_assets_is_empty(dataplane: Dataplane) -> None:
    assert dataplane.ok("GET", "/metadata") == {"assets": []}


@pytest.mark.parametrize("limit", ["0", "1001", "ten"])
def test_list_rejects_bad_limits(dataplane: Dataplane, limit: str) -> None:
    status, body = dataplane.call("GET", "/metadata", query={"limit": limit})
    assert status == 400
    assert "limit" in body["Message"]


def test_list_rejects_a_forged_cursor(dataplane: Dataplane) -> None:
    status, body = dataplane.call("GET", "/metadata", query={"cursor": "eyJrIjoiYXNzZXRzIn0.AAAA"})
    assert (status, body) == (400, {"Code": "InvalidCursor", "Message": "invalid cursor"})


def test_mediapath_is_the_workflow_prefix_of_the_asset(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    body = dataplane.ok("GET", f"/mediapath/{asset_id}/wf-1")
    assert body == {"S3Bucket": BUCKET, "S3Key": f"private/assets/{asset_id}/workflows/wf-1/"}


def test_mediapath_of_an_unknown_asset_is_404(dataplane: Dataplane) -> None:
    status, body = dataplane.call("GET", f"/mediapath/{uuid.uuid4()}/wf-1")
    assert status == 404
    assert body["Code"] == "NotFound"


@pytest.mark.parametrize(
    "path", ["/mediapath/not-a-uuid/wf-1", "/mediapath/{asset}/..", "/mediapath/{asset}/-x"]
)
def test_mediapath_rejects_bad_ids(dataplane: Dataplane, path: str) -> None:
    # A fresh asset id per run, made when the test runs: ids fixed at collection differ between workers.
    status, body = dataplane.call("GET", path.format(asset=uuid.uuid4()))
    assert status == 400, body
    assert body["Code"] == "BadRequest"


def test_unknown_route_is_a_json_404(dataplane: Dataplane) -> None:
    status, body = dataplane.call("GET", "/nothing/here")
    assert status == 404
    assert set(body) == {"Code", "Message"}


def test_an_asset_can_be_read_back_by_id(dataplane: Dataplane) -> None:
    dataplane.put_object("upload/photo.jpg")
    created = dataplane.ok(
        "POST", "/create", body={"Input": {"S3Bucket": BUCKET, "S3Key": "upload/photo.jpg"}}
    )

    body = dataplane.ok("GET", f"/asset/{created['AssetId']}")

    assert body.pop("Created").endswith("Z")
    assert body == {**created, "MediaType": "Image"}
    assert dataplane.call("GET", f"/asset/{uuid.uuid4()}")[0] == 404
    assert dataplane.call("GET", "/asset/not-a-uuid")[0] == 400


def test_create_keeps_an_explicit_media_type_and_leaves_an_unknown_one_out(dataplane: Dataplane) -> None:
    dataplane.put_object("upload/clip.bin")
    source = {"S3Bucket": BUCKET, "S3Key": "upload/clip.bin"}
    typed = dataplane.ok("POST", "/create", body={"Input": {**source, "MediaType": "Audio"}})
    untyped = dataplane.ok("POST", "/create", body={"Input": source})

    assert typed["MediaType"] == "Audio"
    assert "MediaType" not in untyped
    assert dataplane.call("POST", "/create", body={"Input": {**source, "MediaType": "Hologram"}})[0] == 400


def test_create_without_copy_refers_to_the_object_where_it_is(dataplane: Dataplane) -> None:
    dataplane.put_object("upload/big.mp4", b"frames")

    body = dataplane.ok(
        "POST", "/create", body={"Input": {"S3Bucket": BUCKET, "S3Key": "upload/big.mp4"}, "Copy": False}
    )

    assert body["S3Key"] == "upload/big.mp4"
    assert dataplane.keys(f"private/assets/{body['AssetId']}/") == []


def test_a_copy_over_the_limit_is_a_413_that_says_what_to_do(
    dataplane: Dataplane, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assets_service, "MAX_COPY_BYTES", 1024)
    dataplane.put_object("upload/big.mp4", b"x" * 1025)

    status, body = dataplane.call(
        "POST", "/create", body={"Input": {"S3Bucket": BUCKET, "S3Key": "upload/big.mp4"}}
    )

    assert status == 413, body
    assert "1025 bytes" in body["Message"] and '"Copy": false' in body["Message"]
    assert dataplane.keys("private/") == []
