"""The faces engine, started as the toolkit starts it, on real images."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.engines_samples.checks import assert_strict_valid
from tests.unit.engines_samples.media import astronaut_jpeg, blank_png
from tests.unit.engines_samples.running import RunningEngine, running_engine
from tests.unit.engines_samples.vtn_v2 import v2_problems

pytestmark = pytest.mark.xdist_group("engine-faces")


@pytest.fixture(scope="module")
def faces(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEngine]:
    with running_engine("faces") as engine:
        yield engine


def _frame_fields(**extra: str) -> dict[str, str]:
    return {
        "chunkMimeType": "image/jpeg",
        "chunkUUID": "chunk-3",
        "chunkIndex": "3",
        "startOffsetMS": "1500",
        "endOffsetMS": "2000",
        "width": "512",
        "height": "512",
        "payload": "{}",
        "internalJobId": "job-1",
        "internalTaskId": "job-1:faces",
        "chunkContext": '{"chunkIndex": 3}',
        "maxTTL": "60",
        **extra,
    }


def test_face_of_the_astronaut_is_found_where_it_is(faces: RunningEngine) -> None:
    answer = faces.post(_frame_fields(), astronaut_jpeg())

    assert answer.status_code == 200, answer.text
    document = answer.json()
    [item] = document["series"]
    assert (item["startTimeMs"], item["stopTimeMs"]) == (1500, 2000)
    face = item["object"]
    assert face["type"] == "face"
    assert 0.5 <= face["confidence"] <= 1
    xs = [point["x"] for point in face["boundingPoly"]]
    ys = [point["y"] for point in face["boundingPoly"]]
    assert len(face["boundingPoly"]) == 4
    assert 0.30 <= min(xs) <= 0.40 and 0.48 <= max(xs) <= 0.58, xs
    assert 0.08 <= min(ys) <= 0.18 and 0.26 <= max(ys) <= 0.36, ys
    assert_strict_valid("faces", document)
    assert v2_problems(document) == []  # VTN v2's face object contract: a boundingPoly


def test_blank_frame_has_no_face_and_is_still_counted(faces: RunningEngine) -> None:
    answer = faces.post(_frame_fields(chunkMimeType="image/png"), blank_png())

    assert answer.status_code == 200
    assert answer.json()["series"] == []
    assert_strict_valid("faces", answer.json())


def test_min_confidence_from_the_payload_filters_faces(faces: RunningEngine) -> None:
    answer = faces.post(_frame_fields(payload='{"minConfidence": 0.99}'), astronaut_jpeg())

    assert answer.status_code == 200
    assert answer.json()["series"] == []


@pytest.mark.parametrize(
    ("fields", "chunk", "message"),
    [
        ({}, None, "no chunk file"),
        ({}, b"these bytes are no picture", "not a readable image"),
        ({"payload": "{not json"}, b"x", "payload is not JSON"),
        ({"payload": "[1]"}, b"x", "payload must be a JSON object"),
        ({"payload": '{"minConfidence": 2}'}, b"x", "payload.minConfidence"),
        ({"startOffsetMS": "soon"}, b"x", "startOffsetMS must be an integer"),
        ({"chunkMimeType": "audio/wav"}, b"x", "audio/wav is not supported"),
    ],
)
def test_bad_input_is_a_400_saying_what_is_wrong(
    faces: RunningEngine, fields: dict[str, str], chunk: bytes | None, message: str
) -> None:
    answer = faces.post(_frame_fields(**fields), chunk)

    assert answer.status_code == 400
    assert message in answer.text


def test_unknown_path_is_a_404(faces: RunningEngine) -> None:
    import requests

    assert requests.get(f"{faces.base_url}/nothing", timeout=5).status_code == 404
