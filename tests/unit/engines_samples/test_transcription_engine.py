"""The transcription engine (PocketSphinx), a stream task on real speech: heartbeats every second,
a result per utterance on the result webhook, then complete; failures on the heartbeat."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from medialens.sample_media import make_sample_video
from tests.unit.engines_samples.checks import (
    assert_beats_every_second,
    assert_completed,
    assert_failed,
    assert_strict_valid,
)
from tests.unit.engines_samples.media import SENTENCE, speech_mp4, undecodable
from tests.unit.engines_samples.running import RunningEngine, ToolkitSide, running_engine

pytestmark = pytest.mark.xdist_group("engine-transcription")


@pytest.fixture(scope="module")
def transcription(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEngine]:
    with running_engine("transcription") as engine:
        yield engine


@pytest.fixture(scope="module")
def speech(toolkit: ToolkitSide, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    toolkit.media["speech.mp4"] = speech_mp4(Path(tmp_path_factory.mktemp("speech")))
    toolkit.media["broken.mp4"] = undecodable()
    toolkit.media["tone.mp4"] = make_sample_video(
        Path(tmp_path_factory.mktemp("tone")) / "tone.mp4"
    ).read_bytes()
    return toolkit.media["speech.mp4"]


def test_spoken_sentence_is_transcribed_with_word_times(
    transcription: RunningEngine, toolkit: ToolkitSide, speech: bytes
) -> None:
    answer = transcription.post(toolkit.task_fields("speech", "speech.mp4"))

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"estimatedProcessingTimeInSeconds": 120}  # the maxTTL sent
    record = toolkit.wait("speech")
    assert_completed(record)
    assert record.final["bytesRead"] == len(speech)
    assert record.results, "no utterance posted"
    words = []
    for result in record.results:
        assert result["chunkContext"] == '{"task": "speech"}'
        assert_strict_valid("transcription", result["output"])
        for item in result["output"]["series"]:
            assert result["startOffsetMs"] <= item["startTimeMs"] < item["stopTimeMs"]
            [word] = item["words"]
            assert 0 <= word["confidence"] <= 1
            words.append((item["startTimeMs"], word["word"]))
    times = [at for at, _ in words]
    assert times == sorted(times) and times[-1] < 8000  # ms from the start of the ~7 s media
    spoken = SENTENCE.replace(".", "").split()
    heard = [word for _, word in words]
    assert sum(word in heard for word in spoken) >= 0.7 * len(spoken), heard
    assert_beats_every_second(record)


def test_a_steady_tone_is_no_failure(
    transcription: RunningEngine, toolkit: ToolkitSide, speech: bytes
) -> None:
    # A 440 Hz tone to the end of the audio: the endpointer takes it for speech that never ends.
    assert transcription.post(toolkit.task_fields("tone", "tone.mp4")).status_code == 200

    record = toolkit.wait("tone")
    assert_completed(record)
    for result in record.results:
        assert_strict_valid("transcription", result["output"])


def test_missing_media_fails_the_task_url_not_found(
    transcription: RunningEngine, toolkit: ToolkitSide
) -> None:
    assert transcription.post(toolkit.task_fields("gone", "no-such-file.mp4")).status_code == 200

    assert_failed(toolkit.wait("gone"), "url_not_found")


def test_undecodable_media_fails_the_task_invalid_data(
    transcription: RunningEngine, toolkit: ToolkitSide, speech: bytes
) -> None:
    assert transcription.post(toolkit.task_fields("broken", "broken.mp4")).status_code == 200

    record = toolkit.wait("broken")
    assert_failed(record, "invalid_data")
    assert "ffmpeg" in record.final["failureMsg"]


@pytest.mark.parametrize(
    ("drop", "message"),
    [("cacheURI", "needs cacheURI"), ("heartbeatWebhook", "needs heartbeatWebhook and resultWebhook")],
)
def test_task_without_its_fields_is_a_400(
    transcription: RunningEngine, toolkit: ToolkitSide, drop: str, message: str
) -> None:
    fields = toolkit.task_fields(f"no-{drop}", "speech.mp4")
    del fields[drop]

    answer = transcription.post(fields)

    assert answer.status_code == 400
    assert message in answer.text


def test_long_speech_is_cut_into_utterances_of_at_most_the_limit(
    speech: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engines.toolkit import TaskReporter
    from engines.transcription import engine

    monkeypatch.setattr(engine, "MAX_UTTERANCE_SECONDS", 2)
    media = tmp_path / "speech.mp4"
    media.write_bytes(speech)
    task = TaskReporter("http://127.0.0.1:9/unused", "http://127.0.0.1:9/unused")

    spans = [(start, end) for start, end, _ in engine.utterances(media, task)]

    assert len(spans) >= 3, spans
    assert all(end - start <= 2000 + 30 for start, end in spans), spans  # cut on a 30 ms frame
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans))
