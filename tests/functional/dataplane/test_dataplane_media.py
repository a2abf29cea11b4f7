"""Presigned upload and download."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from dataplane_harness import BUCKET, Dataplane


def test_upload_returns_a_presigned_post_under_upload(dataplane: Dataplane) -> None:
    body = dataplane.ok("POST", "/upload", body={"S3Key": "clip.mp4"})

    assert set(body) == {"url", "fields"}
    assert BUCKET in body["url"]
    assert body["fields"]["key"] == "upload/clip.mp4"
    assert "policy" in body["fields"]


def test_upload_keeps_an_mie_style_upload_prefix(dataplane: Dataplane) -> None:
    body = dataplane.ok("POST", "/upload", body={"S3Key": "upload/clip.mp4", "S3Bucket": BUCKET})
    assert body["fields"]["key"] == "upload/clip.mp4"


@pytest.mark.parametrize("key", ["../clip.mp4", "a/../../clip.mp4", "/clip.mp4", "", "k" * 1025])
def test_upload_refuses_keys_outside_the_upload_prefix(dataplane: Dataplane, key: str) -> None:
    status, body = dataplane.call("POST", "/upload", body={"S3Key": key})
    assert status == 400, body
    assert body["Code"] == "BadRequest"


def test_upload_refuses_another_bucket(dataplane: Dataplane) -> None:
    status, _ = dataplane.call("POST", "/upload", body={"S3Key": "a.mp4", "S3Bucket": "other"})
    assert status == 400


def test_upload_without_a_key_names_the_field(dataplane: Dataplane) -> None:
    status, body = dataplane.call("POST", "/upload", body={})
    assert status == 400
    assert "S3Key" in body["Message"]


def test_download_returns_a_presigned_get_for_asset_media(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset("clip.mp4")
    key = f"private/assets/{asset_id}/input/clip.mp4"

    body = dataplane.ok("POST", "/download", body={"S3Key": key})

    url = urlparse(body["Url"])
    assert url.path.endswith(key)
    assert "X-Amz-Signature" in parse_qs(url.query)


def test_download_of_a_missing_object_is_404(dataplane: Dataplane) -> None:
    status, body = dataplane.call("POST", "/download", body={"S3Key": "upload/none.mp4"})
    assert status == 404
    assert "upload/none.mp4" in body["Message"]


@pytest.mark.parametrize(
    "key",
    [
        "incoming/video.mp4",
        "private/other/x",
        "private/assets/../../incoming/video.mp4",
        "/upload/x",
        "upload/",
    ],
)
def test_download_refuses_keys_outside_assets_and_uploads(dataplane: Dataplane, key: str) -> None:
    dataplane.put_object("incoming/video.mp4")
    status, body = dataplane.call("POST", "/download", body={"S3Key": key})
    assert status == 400, body
    assert body["Code"] == "BadRequest"
