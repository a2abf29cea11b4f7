"""The shots (PySceneDetect) and signals (ffmpeg blackdetect/silencedetect) engines, stream tasks
on a video with hard cuts, black frames and a silence (`media.cuts_mp4`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.engines_samples.checks import assert_failed, completed_task
from tests.unit.engines_samples.media import cuts_mp4, undecodable
from tests.unit.engines_samples.running import RunningEngine, ToolkitSide, running_engine

pytestmark = pytest.mark.xdist_group("engine-video")


@pytest.fixture(scope="module")
def video(toolkit: ToolkitSide, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    toolkit.media["cuts.mp4"] = cuts_mp4(Path(tmp_path_factory.mktemp("video")))
    toolkit.media["broken.mp4"] = undecodable()
    return toolkit.media["cuts.mp4"]


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEngine]:
    with running_engine("shots") as engine:
        yield engine


@pytest.fixture(scope="module")
def signals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEngine]:
    with running_engine("signals") as engine:
        yield engine


def _segments(record_outputs: list[dict], label: str) -> list[tuple[int, int]]:
    return [
        (item["startTimeMs"], item["stopTimeMs"])
        for output in record_outputs
        for item in output["series"]
        if item["object"]["label"] == label
    ]


def test_shots_are_cut_where_the_picture_changes(
    shots: RunningEngine, toolkit: ToolkitSide, video: bytes
) -> None:
    record = completed_task(shots, toolkit, "shots", "cuts.mp4")

    found = _segments(record.outputs(), "shot")
    assert len(found) == 3, found  # the one-second black shot is one (10 frames at 10 per second)
    assert found[0][0] == 0 and abs(found[-1][1] - 4000) <= 100
    assert abs(found[1][0] - 1000) <= 100 and abs(found[2][0] - 2500) <= 100, found
    assert [start for start, _ in found[1:]] == [stop for _, stop in found[:-1]]  # contiguous
    assert [(r["startOffsetMs"], r["endOffsetMs"]) for r in record.results] == found


def test_black_frames_and_silence_are_found(
    signals: RunningEngine, toolkit: ToolkitSide, video: bytes
) -> None:
    record = completed_task(signals, toolkit, "signals", "cuts.mp4")

    [black] = _segments(record.outputs(), "black")
    [silence] = _segments(record.outputs(), "silence")
    assert black[0] == 0 and abs(black[1] - 1000) <= 100, black
    assert silence[0] == 0 and abs(silence[1] - 1500) <= 100, silence


def test_stricter_thresholds_from_the_payload_find_nothing(
    signals: RunningEngine, toolkit: ToolkitSide, video: bytes
) -> None:
    payload = '{"blackMinSeconds": 2, "silenceMinSeconds": 2}'

    record = completed_task(signals, toolkit, "strict", "cuts.mp4", payload=payload)

    assert record.results == []


@pytest.mark.parametrize("engine", ["shots", "signals"])
@pytest.mark.parametrize(("media", "reason"), [("broken.mp4", "invalid_data"), ("gone.mp4", "url_not_found")])
def test_media_it_cannot_read_fails_the_task(
    request: pytest.FixtureRequest, toolkit: ToolkitSide, video: bytes, engine: str, media: str, reason: str
) -> None:
    running: RunningEngine = request.getfixturevalue(engine)
    task = f"{engine}-{media}"
    assert running.post(toolkit.task_fields(task, media)).status_code == 200

    assert_failed(toolkit.wait(task), reason)


def test_bad_threshold_is_a_400(signals: RunningEngine, toolkit: ToolkitSide) -> None:
    answer = signals.post(toolkit.task_fields("bad", "cuts.mp4", payload='{"silenceNoiseDb": 10}'))

    assert answer.status_code == 400
    assert "payload.silenceNoiseDb" in answer.text
