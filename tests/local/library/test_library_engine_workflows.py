"""The library's workflows on the sample engines, driven through the API as the guide does.

One platform hosts the faces, text and keywords engines: the image and text workflows run on real
media and what the engines found is read back through the dataplane API.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from medialens.findings import read_findings, stored_documents
from medialens.news_sample import NewsSample, astronaut_shot
from tests.local.workflows.platform_client import RunningPlatform, operator_view, started_platform

pytestmark = pytest.mark.local

ENGINES = ("faces", "text", "keywords")
WAIT_SECONDS = 180.0
TEXT = (
    "The city council approved the new park yesterday. Residents were delighted with the "
    "decision, and the mayor thanked the volunteers who planted the trees."
)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    with started_platform(Path(tmp_path_factory.mktemp("platform")), engines=ENGINES) as platform:
        yield platform


def _upload(running: RunningPlatform, kind: str, body: bytes, suffix: str) -> dict[str, Any]:
    key = f"upload/{uuid.uuid4().hex}{suffix}"
    running.aws.client("s3").put_object(Bucket=running.endpoints.dataplane_bucket, Key=key, Body=body)
    return {kind: {"S3Bucket": running.endpoints.dataplane_bucket, "S3Key": key}}


def _run(running: RunningPlatform, workflow: str, media: dict[str, Any], **extra: Any) -> dict[str, Any]:
    submitted = running.api.start(workflow, media, **extra)
    return running.api.wait(submitted["Id"], timeout=WAIT_SECONDS, poll_seconds=0.3)


def _headline_image() -> bytes:
    ok, encoded = cv2.imencode(".png", astronaut_shot(NewsSample().headline))
    assert ok
    return encoded.tobytes()


def test_the_library_workflows_are_listed_with_the_hosted_engines_operators(running: RunningPlatform) -> None:
    names = {workflow["Name"] for workflow in running.api.call("GET", "/workflow")}
    assert {"MediaAnalysisWorkflow", "VideoWorkflow", "ImageWorkflow", "TextWorkflow"} <= names
    video = running.api.call("GET", "/workflow/VideoWorkflow")
    stages = {name: stage["Operations"] for name, stage in video["Stages"].items()}  # operation names
    # Only the hosted engines' operators: no transcription, shots or signals engine here.
    assert stages == {
        "MediaAnalysis": ["Mediainfo", "Thumbnail"],
        "VideoAnalysis": ["FaceDetection", "TextDetection"],
        "TextAnalysis": ["KeywordDetection"],
    }
    stage = running.api.call("GET", "/workflow/stage/ImageAnalysis")
    assert stage["Configuration"]["FaceDetectionImage"] == {"MediaType": "Image", "Enabled": True}


def test_the_image_workflow_finds_the_face_and_reads_the_text(running: RunningPlatform) -> None:
    execution = _run(running, "ImageWorkflow", _upload(running, "Image", _headline_image(), ".png"))
    assert execution["Status"] == "Complete", execution
    dataplane = running.dataplane()
    faces = read_findings(stored_documents(dataplane, execution["AssetId"], "FaceDetectionImage")).faces
    x, y = NewsSample().face_centre
    assert any(f.box and f.box[0] <= x <= f.box[2] and f.box[1] <= y <= f.box[3] for f in faces), faces
    texts = read_findings(stored_documents(dataplane, execution["AssetId"], "TextDetectionImage")).texts
    assert any("MEDIALENS" in text.text.upper().replace(" ", "") for text in texts), texts


def test_an_image_without_faces_or_text_completes_with_nothing_found(running: RunningPlatform) -> None:
    ok, blank = cv2.imencode(".png", np.full((360, 640, 3), 128, np.uint8))
    assert ok
    execution = _run(running, "ImageWorkflow", _upload(running, "Image", blank.tobytes(), ".png"))
    assert execution["Status"] == "Complete", execution  # strict validation: nothing found is valid
    dataplane = running.dataplane()
    for operator in ("FaceDetectionImage", "TextDetectionImage"):
        assert operator_view(execution, operator)["Status"] == "Complete"
        found = read_findings(stored_documents(dataplane, execution["AssetId"], operator))
        assert not found.faces and not found.texts


def test_an_operator_switched_off_by_configuration_is_skipped(running: RunningPlatform) -> None:
    configuration = {"ImageAnalysis": {"TextDetectionImage": {"Enabled": False}}}
    media = _upload(running, "Image", _headline_image(), ".png")
    execution = _run(running, "ImageWorkflow", media, Configuration=configuration)
    assert execution["Status"] == "Complete", execution
    assert operator_view(execution, "TextDetectionImage")["Status"] == "Skipped"
    assert operator_view(execution, "FaceDetectionImage")["Status"] == "Complete"


def test_the_text_workflow_finds_key_phrases_language_and_sentiment(running: RunningPlatform) -> None:
    execution = _run(running, "TextWorkflow", _upload(running, "Text", TEXT.encode(), ".txt"))
    assert execution["Status"] == "Complete", execution
    found = read_findings(stored_documents(running.dataplane(), execution["AssetId"], "KeywordDetection"))
    assert any(language.lower().startswith("en") for language in found.languages), found.languages
    phrases = " ".join(keyword.text.lower() for keyword in found.keywords)
    assert "park" in phrases or "council" in phrases, phrases
    assert found.sentiments, "no sentiment stored"


def test_an_image_given_to_the_text_workflow_skips_it(running: RunningPlatform) -> None:
    execution = _run(running, "TextWorkflow", _upload(running, "Image", _headline_image(), ".png"))
    assert execution["Status"] == "Complete", execution
    assert operator_view(execution, "KeywordDetection")["Status"] == "Skipped"
