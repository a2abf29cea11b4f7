"""The keywords engine (YAKE, VADER, Lingua), a batch task on known texts."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.unit.engines_samples.checks import assert_completed, assert_failed, assert_strict_valid
from tests.unit.engines_samples.running import RunningEngine, ToolkitSide, running_engine

pytestmark = pytest.mark.xdist_group("engine-keywords")

ENGLISH = (
    b"The city council approved the new public library on Monday. Residents love the beautiful "
    b"library and its wonderful reading garden. The public library opens next spring with free "
    b"courses for children."
)
FRENCH = (
    "Le conseil municipal a approuvé lundi la nouvelle bibliothèque publique. Les habitants aiment "
    "déjà son jardin de lecture et la bibliothèque ouvrira au printemps."
).encode()
TRANSCRIPT = json.dumps(
    {
        "series": [
            {"startTimeMs": 900, "stopTimeMs": 1200, "words": [{"word": "terrible"}]},
            {"startTimeMs": 0, "stopTimeMs": 400, "words": [{"word": "the"}]},
            {"startTimeMs": 400, "stopTimeMs": 900, "words": [{"word": "weather"}]},
            {"startTimeMs": 1200, "stopTimeMs": 1500, "words": [{"word": "storm"}]},
        ]
    }
).encode()


@pytest.fixture(scope="module")
def keywords(toolkit: ToolkitSide, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEngine]:
    toolkit.media.update(
        {
            "english.txt": ENGLISH,
            "french.txt": FRENCH,
            "transcript.json": TRANSCRIPT,
            "latin1.txt": "caf\xe9 cr\xe8me".encode("latin-1"),
            "numbers.txt": b"12 345 -- 678",
        }
    )
    with running_engine("keywords") as engine:
        yield engine


def _run(keywords: RunningEngine, toolkit: ToolkitSide, task: str, media: str | None, **extra: str) -> dict:
    answer = keywords.post(toolkit.task_fields(task, media, chunkMimeType="text/plain", **extra))
    assert answer.status_code == 200, answer.text
    assert "estimatedProcessingTimeInSeconds" in answer.json()
    return {"record": toolkit.wait(task)}


def test_english_text_gets_key_phrases_sentiment_and_language(
    keywords: RunningEngine, toolkit: ToolkitSide
) -> None:
    record = _run(keywords, toolkit, "english", "english.txt")["record"]

    assert_completed(record)
    [result] = record.results
    output = result["output"]
    assert_strict_valid("keywords", output)
    assert sorted(output["validationContracts"]) == ["keyword", "language", "sentiment"]
    assert output["language"] == "en"
    assert output["sentiment"]["positiveValue"] > 0.5 and output["sentiment"]["negativeValue"] == 0
    labels = [item["label"].lower() for item in output["object"]]
    assert any("library" in label for label in labels), labels
    assert any("city council" in label for label in labels), labels
    assert all(item["type"] == "keyword" and 0 < item["confidence"] <= 1 for item in output["object"])
    assert record.final["bytesRead"] == len(ENGLISH)


def test_french_text_gets_its_language_and_no_english_sentiment(
    keywords: RunningEngine, toolkit: ToolkitSide
) -> None:
    record = _run(keywords, toolkit, "french", "french.txt", payload='{"maxKeywords": 3}')["record"]

    output = record.results[0]["output"]
    assert output["language"] == "fr"
    assert "sentiment" not in output
    assert len(output["object"]) == 3
    assert any("bibliothèque" in item["label"].lower() for item in output["object"])
    assert_strict_valid("keywords", output)


def test_vtn_transcript_is_read_in_time_order(keywords: RunningEngine, toolkit: ToolkitSide) -> None:
    record = _run(keywords, toolkit, "transcript", "transcript.json")["record"]

    output = record.results[0]["output"]
    assert output["sentiment"]["negativeValue"] > 0.3  # "the weather terrible storm"
    assert {"weather", "storm"} <= {
        word for item in output["object"] for word in item["label"].lower().split()
    }


def test_text_in_the_payload_serves_without_cache_uri(keywords: RunningEngine, toolkit: ToolkitSide) -> None:
    payload = json.dumps({"text": ENGLISH.decode()})
    record = _run(keywords, toolkit, "payload", None, payload=payload)["record"]

    assert_completed(record)
    assert record.results[0]["output"]["language"] == "en"


@pytest.mark.parametrize(("media", "message"), [("latin1.txt", "not UTF-8"), ("numbers.txt", "no words")])
def test_text_it_cannot_read_fails_the_task_invalid_data(
    keywords: RunningEngine, toolkit: ToolkitSide, media: str, message: str
) -> None:
    record = _run(keywords, toolkit, f"bad-{media}", media)["record"]

    assert_failed(record, "invalid_data")
    assert message in record.final["failureMsg"]


def test_missing_text_fails_the_task_url_not_found(keywords: RunningEngine, toolkit: ToolkitSide) -> None:
    assert_failed(_run(keywords, toolkit, "missing", "nothing.txt")["record"], "url_not_found")


def test_task_without_text_or_cache_uri_is_a_400(keywords: RunningEngine, toolkit: ToolkitSide) -> None:
    answer = keywords.post(toolkit.task_fields("no-text", None))

    assert answer.status_code == 400
    assert "needs cacheURI" in answer.text
