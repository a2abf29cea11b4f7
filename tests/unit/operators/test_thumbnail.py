"""Thumbnail on a real generated video, with S3 and the dataplane on moto."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest
from medialens_helper import DataplaneNotFoundError, MasExecutionError

from operators.thumbnail.handler import lambda_handler
from tests.unit.operators.conftest import Dataplane, SampleVideo, workflow_event

JPEG_START = b"\xff\xd8"
# Start-of-frame markers (baseline, extended, progressive) carry the image's height and width.
SOF_MARKERS = {0xC0, 0xC1, 0xC2}


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) read from the JPEG's start-of-frame segment, independently of the operator."""
    assert data[:2] == JPEG_START, "not a JPEG"
    offset = 2
    while offset + 4 <= len(data):
        assert data[offset] == 0xFF, f"no JPEG marker at byte {offset}"
        marker = data[offset + 1]
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if marker in SOF_MARKERS:
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return width, height
        offset += 2 + length
    raise AssertionError("the JPEG has no start-of-frame segment")


def _event(asset: dict[str, Any], **configuration: Any) -> dict[str, Any]:
    media = {"Video": {"S3Bucket": asset["S3Bucket"], "S3Key": asset["S3Key"]}}
    return workflow_event("Thumbnail", asset_id=asset["AssetId"], media=media, configuration=configuration)


def _failure(raised: pytest.ExceptionInfo[MasExecutionError]) -> str:
    output = raised.value.output
    assert output is not None
    assert output["Status"] == "Error"
    return str(output["MetaData"]["ThumbnailError"])


def _stored_nothing(dataplane: Dataplane, asset_id: str) -> bool:
    try:
        dataplane.client().retrieve_asset_metadata(asset_id, "Thumbnail")
    except DataplaneNotFoundError:
        return True
    return False


def test_writes_a_jpeg_to_the_media_path_and_outputs_it_as_media(
    dataplane: Dataplane, sample_video: SampleVideo, scratch: Path
) -> None:
    asset = dataplane.create_asset(sample_video.path.read_bytes())

    output = lambda_handler(_event(asset), None, dataplane.services())

    assert output["Status"] == "Complete"
    thumbnail = output["Media"]["Thumbnail"]
    assert thumbnail["S3Key"].startswith(f"private/assets/{asset['AssetId']}/")
    assert thumbnail["S3Key"].endswith("/Thumbnail.jpg")
    stored = dataplane.s3.get_object(Bucket=thumbnail["S3Bucket"], Key=thumbnail["S3Key"])
    data = stored["Body"].read()
    assert stored["ContentType"] == "image/jpeg"
    assert jpeg_size(data) == (320, 240)
    record = dataplane.results(asset["AssetId"], "Thumbnail")
    assert record == {
        "S3Bucket": thumbnail["S3Bucket"],
        "S3Key": thumbnail["S3Key"],
        "SizeBytes": len(data),
        "PositionSeconds": 1.0,
        "RequestedPositionSeconds": 1.0,
        "Width": 320,
        "Height": 240,
    }
    assert output["MetaData"] == {
        "ThumbnailPositionSeconds": 1.0,
        "ThumbnailWidth": 320,
        "ThumbnailHeight": 240,
    }
    assert list(scratch.iterdir()) == []


def test_width_scales_the_frame_and_keeps_the_aspect_ratio(
    dataplane: Dataplane, sample_video: SampleVideo
) -> None:
    asset = dataplane.create_asset(sample_video.path.read_bytes())

    output = lambda_handler(_event(asset, Width=160), None, dataplane.services())

    thumbnail = output["Media"]["Thumbnail"]
    data = dataplane.s3.get_object(Bucket=thumbnail["S3Bucket"], Key=thumbnail["S3Key"])["Body"].read()
    assert jpeg_size(data) == (160, 120)
    assert (output["MetaData"]["ThumbnailWidth"], output["MetaData"]["ThumbnailHeight"]) == (160, 120)


def test_the_position_chooses_the_frame(dataplane: Dataplane, sample_video: SampleVideo) -> None:
    asset = dataplane.create_asset(sample_video.path.read_bytes())

    def frame_at(seconds: float) -> bytes:
        output = lambda_handler(_event(asset, PositionSeconds=seconds), None, dataplane.services())
        thumbnail = output["Media"]["Thumbnail"]
        return bytes(
            dataplane.s3.get_object(Bucket=thumbnail["S3Bucket"], Key=thumbnail["S3Key"])["Body"].read()
        )

    # The test pattern draws a running frame counter, so different instants are different images.
    early, late, late_again = frame_at(0.0), frame_at(1.5), frame_at(1.5)
    assert early != late
    assert late == late_again


def test_a_position_past_the_end_takes_the_last_frame(
    dataplane: Dataplane, sample_video: SampleVideo
) -> None:
    asset = dataplane.create_asset(sample_video.path.read_bytes())

    output = lambda_handler(_event(asset, PositionSeconds=30), None, dataplane.services())

    last_frame = sample_video.seconds - 1 / sample_video.frame_rate
    assert output["Status"] == "Complete"
    assert output["MetaData"]["ThumbnailPositionSeconds"] == pytest.approx(last_frame, abs=0.001)
    record = dataplane.results(asset["AssetId"], "Thumbnail")
    assert record["RequestedPositionSeconds"] == 30


@pytest.mark.parametrize(
    ("configuration", "reason"),
    [
        ({"Width": 0}, "Width must be an integer from 16 to 3840 pixels, got 0"),
        ({"Width": "wide"}, "Width must be an integer from 16 to 3840 pixels, got 'wide'"),
        ({"Width": 320.5}, "Width must be an integer from 16 to 3840 pixels, got 320.5"),
        ({"Width": True}, "Width must be an integer from 16 to 3840 pixels, got True"),
        ({"PositionSeconds": -1}, "PositionSeconds must not be negative, got -1"),
        ({"PositionSeconds": "1s"}, "PositionSeconds must be a number of seconds, got '1s'"),
    ],
)
def test_bad_configuration_fails_with_the_reason_before_any_work(
    dataplane: Dataplane, sample_video: SampleVideo, scratch: Path, configuration: dict[str, Any], reason: str
) -> None:
    asset = dataplane.create_asset(sample_video.path.read_bytes())
    with pytest.raises(MasExecutionError) as raised:
        lambda_handler(_event(asset, **configuration), None, dataplane.services())
    assert _failure(raised) == reason
    assert _stored_nothing(dataplane, asset["AssetId"])
    assert list(scratch.iterdir()) == []


def test_a_file_that_is_not_a_video_fails_and_stores_nothing(dataplane: Dataplane, scratch: Path) -> None:
    asset = dataplane.create_asset(b"plain text pretending to be a video\n" * 20, name="fake.mp4")
    with pytest.raises(MasExecutionError) as raised:
        lambda_handler(_event(asset), None, dataplane.services())
    assert _failure(raised).startswith("the input is not a video: no video track")
    assert _stored_nothing(dataplane, asset["AssetId"])
    listed = dataplane.s3.list_objects_v2(
        Bucket=asset["S3Bucket"], Prefix=f"private/assets/{asset['AssetId']}/"
    )
    assert not [item["Key"] for item in listed.get("Contents", []) if item["Key"].endswith(".jpg")]
    assert list(scratch.iterdir()) == []


def test_a_missing_input_object_fails_naming_it(dataplane: Dataplane) -> None:
    asset = dataplane.create_asset(b"x")
    with pytest.raises(MasExecutionError) as raised:
        lambda_handler(_event({**asset, "S3Key": "private/gone.mp4"}), None, dataplane.services())
    assert _failure(raised) == f"cannot download s3://{asset['S3Bucket']}/private/gone.mp4: it does not exist"
