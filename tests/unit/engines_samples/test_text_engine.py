"""The text engine (RapidOCR), started as the toolkit starts it, on text drawn by OpenCV."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.engines_samples.checks import assert_strict_valid
from tests.unit.engines_samples.media import blank_png, text_png
from tests.unit.engines_samples.running import RunningEngine, running_engine

pytestmark = pytest.mark.xdist_group("engine-text")


@pytest.fixture(scope="module")
def text(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEngine]:
    with running_engine("text") as engine:
        yield engine


def _fields(**extra: str) -> dict[str, str]:
    return {"chunkMimeType": "image/png", "startOffsetMS": "4000", "endOffsetMS": "4500", **extra}


def test_burnt_in_text_is_read_with_its_place(text: RunningEngine) -> None:
    answer = text.post(_fields(), text_png(["BREAKING NEWS", "Weather at six"]))

    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["validationContracts"] == ["text"]
    read = " ".join(item["object"]["text"] for item in document["series"]).upper()
    assert "BREAKING" in read and "NEWS" in read and "WEATHER AT SIX" in read, read
    for item in document["series"]:
        assert (item["startTimeMs"], item["stopTimeMs"]) == (4000, 4500)
        assert item["object"]["type"] == "text" and 0.5 <= item["object"]["confidence"] <= 1
        assert len(item["object"]["boundingPoly"]) == 4
    weather = next(i["object"] for i in document["series"] if "eather" in i["object"]["text"])
    ys = [point["y"] for point in weather["boundingPoly"]]
    assert min(ys) > 0.5  # the second line is in the lower half of the picture
    assert_strict_valid("text", document)


def test_picture_without_text_answers_an_empty_series(text: RunningEngine) -> None:
    answer = text.post(_fields(), blank_png())

    assert answer.status_code == 200
    assert answer.json()["series"] == []
    assert_strict_valid("text", answer.json())


def test_unreadable_chunk_is_a_400(text: RunningEngine) -> None:
    answer = text.post(_fields(), b"\x89PNG but not really")

    assert answer.status_code == 400
    assert "not a readable image" in answer.text
