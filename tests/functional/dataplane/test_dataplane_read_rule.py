"""One rule decides which keys of the dataplane bucket a client may read, on every route."""

from __future__ import annotations

import pytest
from dataplane_harness import BUCKET, Dataplane

# Objects that exist in the bucket but are no client's to read.
FORBIDDEN = ["incoming/video.mp4", "private/other/x.mp4", "private/assets-evil/x.mp4", "logs/2025/a.log"]
READABLE = ["upload/video.mp4", "video.mp4"]


@pytest.fixture
def stored(dataplane: Dataplane) -> Dataplane:
    for key in FORBIDDEN + READABLE:
        dataplane.put_object(key)
    return dataplane


@pytest.mark.parametrize("key", FORBIDDEN)
def test_download_refuses_the_key(stored: Dataplane, key: str) -> None:
    status, body = stored.call("POST", "/download", body={"S3Key": key})
    assert (status, body["Code"]) == (400, "BadRequest")


@pytest.mark.parametrize("copy", [True, False])
@pytest.mark.parametrize("key", FORBIDDEN)
def test_create_refuses_the_key_and_makes_no_asset(stored: Dataplane, key: str, copy: bool) -> None:
    status, body = stored.call(
        "POST", "/create", body={"Input": {"S3Bucket": BUCKET, "S3Key": key}, "Copy": copy}
    )
    assert (status, body["Code"]) == (400, "BadRequest")
    assert "S3Key" in body["Message"]
    assert stored.ok("GET", "/metadata")["assets"] == []
    assert stored.keys("private/assets/") == []


@pytest.mark.parametrize("key", READABLE)
def test_download_and_create_accept_readable_keys(stored: Dataplane, key: str) -> None:
    assert stored.call("POST", "/download", body={"S3Key": key})[0] == 200
    created = stored.ok("POST", "/create", body={"Input": {"S3Bucket": BUCKET, "S3Key": key}})
    assert stored.call("POST", "/download", body={"S3Key": created["S3Key"]})[0] == 200


def test_mediapath_stays_under_the_asset(stored: Dataplane) -> None:
    asset_id = stored.create_asset()
    body = stored.ok("GET", f"/mediapath/{asset_id}/wf-1")
    assert body["S3Key"] == f"private/assets/{asset_id}/workflows/wf-1/"
    for workflow in ("..", "wf%2F..%2F..%2Fx"):
        assert stored.call("GET", f"/mediapath/{asset_id}/{workflow}")[0] == 400
