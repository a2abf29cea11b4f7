"""Mediainfo on a real generated video, with S3 and the dataplane on moto."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from medialens_helper import DataplaneNotFoundError, InProcessTransport, MasExecutionError, TransientError

from operators.common.services import OperatorServices
from operators.mediainfo.handler import lambda_handler
from tests.unit.operators.conftest import BUCKET, Dataplane, SampleVideo, workflow_event


def _video_event(asset: dict[str, Any]) -> dict[str, Any]:
    media = {"Video": {"S3Bucket": asset["S3Bucket"], "S3Key": asset["S3Key"]}}
    return workflow_event("Mediainfo", asset_id=asset["AssetId"], media=media)


def _failure(raised: pytest.ExceptionInfo[MasExecutionError]) -> str:
    output = raised.value.output
    assert output is not None
    assert output["Status"] == "Error"
    return str(output["MetaData"]["MediainfoError"])


def test_reports_the_video_facts_and_stores_every_track(
    dataplane: Dataplane, sample_video: SampleVideo, scratch: Path
) -> None:
    asset = dataplane.create_asset(sample_video.path.read_bytes())

    output = lambda_handler(_video_event(asset), None, dataplane.services())

    assert output["Status"] == "Complete"
    assert output["MetaData"] == {
        "DurationSeconds": sample_video.seconds,
        "Width": sample_video.width,
        "Height": sample_video.height,
        "VideoCodec": "AVC",
        "FrameRate": sample_video.frame_rate,
    }
    stored = dataplane.results(asset["AssetId"], "Mediainfo")
    tracks = {track["track_type"]: track for track in stored["tracks"]}
    assert set(tracks) == {"General", "Video", "Audio"}
    assert (tracks["Video"]["width"], tracks["Video"]["height"]) == (320, 240)
    assert tracks["Audio"]["format"] == "AAC"
    assert tracks["General"]["file_size"] == sample_video.path.stat().st_size
    assert list(scratch.iterdir()) == []  # the downloaded copy is gone


def test_input_without_video_media_fails_with_the_reason(dataplane: Dataplane) -> None:
    event = workflow_event("Mediainfo", media={"Audio": {"S3Bucket": BUCKET, "S3Key": "a.mp3"}})
    with pytest.raises(MasExecutionError) as raised:
        lambda_handler(event, None, dataplane.services())
    assert _failure(raised) == "the input has no Video media"


def test_video_media_without_a_key_fails_with_the_reason(dataplane: Dataplane) -> None:
    event = workflow_event("Mediainfo", media={"Video": {"S3Bucket": BUCKET}})
    with pytest.raises(MasExecutionError) as raised:
        lambda_handler(event, None, dataplane.services())
    assert _failure(raised) == "the input Video media lacks S3Bucket or S3Key"


def test_a_missing_s3_object_fails_naming_it(dataplane: Dataplane, scratch: Path) -> None:
    asset = dataplane.create_asset(b"x")
    event = _video_event({**asset, "S3Key": "private/nowhere.mp4"})
    with pytest.raises(MasExecutionError) as raised:
        lambda_handler(event, None, dataplane.services())
    assert _failure(raised) == f"cannot download s3://{BUCKET}/private/nowhere.mp4: it does not exist"
    assert list(scratch.iterdir()) == []


def test_a_file_that_is_not_media_fails_and_stores_nothing(dataplane: Dataplane, scratch: Path) -> None:
    asset = dataplane.create_asset(b"just some text, not a video\n" * 20, name="notes.mp4")
    with pytest.raises(MasExecutionError) as raised:
        lambda_handler(_video_event(asset), None, dataplane.services())
    assert _failure(raised).startswith("the input is not a video: no video track")
    with pytest.raises(DataplaneNotFoundError):
        dataplane.client().retrieve_asset_metadata(asset["AssetId"], "Mediainfo")
    assert list(scratch.iterdir()) == []


def test_a_dataplane_refusal_is_an_operator_failure(dataplane: Dataplane, sample_video: SampleVideo) -> None:
    asset = dataplane.create_asset(sample_video.path.read_bytes())
    event = _video_event({**asset, "AssetId": "00000000-0000-4000-8000-000000000000"})  # never created
    with pytest.raises(MasExecutionError) as raised:
        lambda_handler(event, None, dataplane.services())
    assert _failure(raised).startswith("the dataplane refused the request:")
    assert isinstance(raised.value.__cause__, DataplaneNotFoundError)


def test_an_unavailable_dataplane_is_transient_so_the_state_machine_retries(
    dataplane: Dataplane, sample_video: SampleVideo
) -> None:
    def down(event: dict[str, Any], context: Any) -> Any:
        raise ConnectionError("dataplane is restarting")

    asset = dataplane.create_asset(sample_video.path.read_bytes())
    services = OperatorServices(dataplane_transport=InProcessTransport(down), session=dataplane.session)
    with pytest.raises(TransientError) as raised:
        lambda_handler(_video_event(asset), None, services)
    assert not isinstance(raised.value, MasExecutionError)
