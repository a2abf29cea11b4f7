"""Chunk engines registered through the API run in workflows on the local platform.

The engine is a real HTTP server on 127.0.0.1 (tests/support/fault_engine.py); the operator is the
one the platform generates; every ending is read back through the workflow and dataplane APIs.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest
from medialens_helper import DataPlane, HttpTransport

from tests.local.workflows.platform_client import WAIT_SECONDS, RunningPlatform, operator_view
from tests.support.fault_engine import FaultEngine

pytestmark = pytest.mark.local

SEED_FIELDS = {
    "chunkMimeType",
    "startOffsetMS",
    "endOffsetMS",
    "width",
    "height",
    "cacheURI",
    "payload",
    "internalJobId",
    "internalTaskId",
    "chunkContext",
    "libraryId",
    "libraryEngineModelId",
    "libraryModelDirectory",
    "taskTmpDir",
    "engineDir",
    "maxTTL",
    "chunk-metadata-assetId",
    "heartbeatWebhook",
    "resultWebhook",
}


def register(running: RunningPlatform, engine: FaultEngine, **block: Any) -> str:
    name = f"Engine{uuid.uuid4().hex[:8]}"
    body = {
        "Name": name,
        "Configuration": {"MediaType": "Video", "Enabled": True},
        "Engine": engine.block(
            **{"Chunking": {"FramesPerSecond": 2}, "Concurrency": 4, "CallTimeoutSeconds": 5, **block}
        ),
    }
    running.api.upsert("operation", body)
    return name


def run(running: RunningPlatform, operator: str, video: bytes, **extra: Any) -> dict[str, Any]:
    workflow = running.workflow([[operator]])
    submitted = running.api.start(workflow, running.upload(video), **extra)
    return running.api.wait(submitted["Id"], timeout=WAIT_SECONDS, poll_seconds=0.2)


def dataplane(running: RunningPlatform) -> DataPlane:
    return DataPlane(HttpTransport(running.endpoints.dataplane_api, session=running.aws))


def test_a_chunk_engine_gets_every_frame_and_its_results_are_merged_and_stored(
    running: RunningPlatform, engine: FaultEngine, sample_video: bytes
) -> None:
    operator = register(
        running,
        engine,
        Payload={"threshold": 0.5, "model": "a"},
        LibraryId="lib-1",
        LibraryEngineModelId="model-7",
        Validation={"Mode": "strict", "Contracts": ["object"]},
    )
    execution = run(running, operator, sample_video)
    assert execution["Status"] == "Complete", execution.get("Error")
    view = operator_view(execution, operator)
    assert view["MetaData"]["EngineChunksSent"] == 6
    assert view["MetaData"]["EngineChunksFailed"] == 0
    assert view["MetaData"]["EngineSeriesCount"] == 6
    assert view["MetaData"]["EngineValidation"] == "0 problems"

    forms = sorted(engine.forms, key=lambda form: int(form["chunkIndex"]))
    assert [(f["startOffsetMS"], f["endOffsetMS"]) for f in forms[:2]] == [("0", "500"), ("500", "1000")]
    first = forms[0]
    assert set(first) >= SEED_FIELDS
    assert first["chunkMimeType"] == "image/jpeg" and (first["width"], first["height"]) == ("320", "240")
    assert first["chunk.size"] > 0
    assert json.loads(first["payload"]) == {"threshold": 0.5, "model": "a"}
    assert first["internalJobId"] == execution["Id"]
    assert first["libraryId"] == "lib-1" and first["libraryEngineModelId"] == "model-7"

    stored = dataplane(running).retrieve_asset_metadata(execution["AssetId"], operator_name=operator)
    document = stored["results"]
    assert document["validationContracts"] == ["object"]
    assert [item["startTimeMs"] for item in document["series"]] == [0, 500, 1000, 1500, 2000, 2500]
    assert document["series"][1]["object"]["label"] == "chunk 1"


def test_the_execution_configuration_overrides_the_payload(
    running: RunningPlatform, engine: FaultEngine, sample_video: bytes
) -> None:
    operator = register(running, engine, Payload={"threshold": 0.5, "model": "a"})
    workflow = running.workflow([[operator]])
    override = {f"{workflow}s0": {operator: {"Payload": {"model": "b"}}}}
    submitted = running.api.start(workflow, running.upload(sample_video), Configuration=override)
    execution = running.api.wait(submitted["Id"], timeout=WAIT_SECONDS, poll_seconds=0.2)
    assert execution["Status"] == "Complete", execution.get("Error")
    payloads = [json.loads(form["payload"]) for form in engine.forms]
    assert len(payloads) == 6
    assert all(payload == {"threshold": 0.5, "model": "b"} for payload in payloads)


def test_media_the_manifest_does_not_support_is_skipped(
    running: RunningPlatform, engine: FaultEngine, sample_video: bytes
) -> None:
    block = engine.block()
    manifest = {**block["Manifest"], "supportedInputFormats": ["text/plain"]}
    operator = register(running, engine, Manifest=manifest)
    execution = run(running, operator, sample_video)
    assert execution["Status"] == "Complete", execution.get("Error")
    view = operator_view(execution, operator)
    assert view["Status"] == "Skipped"
    assert "supportedInputFormats: text/plain" in view["MetaData"]["SkipReason"]
    assert engine.forms == [] and engine.ready_polls == 0


def test_a_500_then_success_is_retried_and_completes(
    running: RunningPlatform, engine: FaultEngine, sample_video: bytes
) -> None:
    engine.process = "fail-once"
    operator = register(running, engine)
    execution = run(running, operator, sample_video)
    assert execution["Status"] == "Complete", execution.get("Error")
    assert set(engine.attempts.values()) == {2}


@pytest.mark.parametrize(
    ("ready", "process", "block", "reason"),
    [
        (
            "ok",
            "status:422",
            {},
            "6 of 6 chunks failed (tolerance 0): chunk 0 [0-500 ms] after 3 attempts: 422: engine says 422",
        ),
        ("broken", "ok", {}, "engine is broken: Ready answered 500: model failed to load"),
        ("never", "ok", {"ReadyTimeoutSeconds": 2}, "engine not ready after 2 s"),
        (
            "ok",
            "hang",
            {"CallTimeoutSeconds": 1, "Retry": {"MaxAttempts": 2}},
            "after 2 attempts: timeout: no answer within 1 s",
        ),
        (
            "ok",
            "invalid",
            {"Validation": {"Mode": "strict"}},
            "not valid VTN (6 problems): $.series[0]: Additional properties",
        ),
        (
            "ok",
            "huge",
            {},
            "after 1 attempt: answer of 52428800 bytes is larger than the limit of 10485760 bytes",
        ),
        # Answered later (estimatedProcessingTimeInSeconds): a failed heartbeat, or nothing within maxTTL.
        (
            "ok",
            "async-failed",
            {},
            "6 of 6 chunks failed (tolerance 0): chunk 0 [0-500 ms] after 1 attempt: invalid_data",
        ),
        (
            "ok",
            "async-silent",
            {"MaxTTLSeconds": 3},
            "chunk 0 [0-500 ms] after 1 attempt: no result on the result webhook within 3 s (maxTTL)",
        ),
    ],
)
def test_each_engine_fault_ends_the_operator_in_error_with_its_reason(
    running: RunningPlatform,
    engine: FaultEngine,
    sample_video: bytes,
    ready: str,
    process: str,
    block: dict[str, Any],
    reason: str,
) -> None:
    engine.ready, engine.process, engine.hang_seconds = ready, process, 3
    operator = register(running, engine, **block)
    execution = run(running, operator, sample_video)
    assert execution["Status"] == "Error"
    assert operator_view(execution, operator)["Status"] == "Error"
    assert reason in execution["Error"], execution["Error"]


def test_connection_refused_ends_the_operator_in_error(
    running: RunningPlatform, engine: FaultEngine, sample_video: bytes
) -> None:
    operator = register(running, engine, ProcessUrl="http://127.0.0.1:9/process", Retry={"MaxAttempts": 2})
    execution = run(running, operator, sample_video)
    assert execution["Status"] == "Error"
    assert "after 2 attempts: ConnectionError" in execution["Error"], execution["Error"]


def test_dynamic_frame_selection_sends_only_frames_that_differ(
    running: RunningPlatform, engine: FaultEngine, tmp_path: Path
) -> None:
    still = tmp_path / "still.mp4"
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi"]
    source = "color=c=blue:size=160x120:rate=25:duration=3"
    subprocess.run([*command, "-i", source, "-c:v", "libx264", "-pix_fmt", "yuv420p", str(still)], check=True)
    operator = register(running, engine, Chunking={"FramesPerSecond": 2, "SkipSimilarFrames": True})
    execution = run(running, operator, still.read_bytes())
    assert execution["Status"] == "Complete", execution.get("Error")
    metadata = operator_view(execution, operator)["MetaData"]
    assert (metadata["EngineFramesSelected"], metadata["EngineFramesSkipped"]) == (1, 5)
    assert metadata["EngineChunksSent"] == 1 and len(engine.forms) == 1


def test_a_chunk_engine_may_answer_later_on_each_chunks_result_webhook(
    running: RunningPlatform, engine: FaultEngine, sample_video: bytes
) -> None:
    engine.process = "async-chunk"  # {"estimatedProcessingTimeInSeconds": 1}, then the result webhook
    operator = register(running, engine)
    execution = run(running, operator, sample_video)
    assert execution["Status"] == "Complete", execution.get("Error")
    metadata = operator_view(execution, operator)["MetaData"]
    assert (metadata["EngineChunksSucceeded"], metadata["EngineChunksFailed"]) == (6, 0)
    assert engine.webhook_statuses == [204] * 6
    urls = {form["resultWebhook"] for form in engine.forms}
    assert len(urls) == 6  # each chunk is a task of its own, with its own secret
    stored = dataplane(running).retrieve_asset_metadata(execution["AssetId"], operator_name=operator)
    series = stored["results"]["series"]
    assert [item["startTimeMs"] for item in series] == [0, 500, 1000, 1500, 2000, 2500]
    assert series[1]["object"]["label"] == "chunk 1 later"


def test_a_later_stages_engine_gets_the_workflows_metadata_as_chunk_metadata(
    running: RunningPlatform, engine: FaultEngine, sample_video: bytes
) -> None:
    first, second = register(running, engine), register(running, engine)
    workflow = running.workflow([[first], [second]])
    submitted = running.api.start(workflow, running.upload(sample_video))
    execution = running.api.wait(submitted["Id"], timeout=WAIT_SECONDS, poll_seconds=0.2)
    assert execution["Status"] == "Complete", execution.get("Error")
    later = [form for form in engine.forms if form["internalTaskId"].endswith(f":{second}")]
    assert len(later) == 6
    # The first stage's operator metadata, stringified as the toolkit does; the asset Id is ours.
    assert later[0]["chunk-metadata-EngineChunksSent"] == "6"
    assert later[0]["chunk-metadata-EngineValidation"] == "0 problems"
    assert later[0]["chunk-metadata-assetId"] == execution["AssetId"]
    earlier = [form for form in engine.forms if form["internalTaskId"].endswith(f":{first}")]
    assert not any(key.startswith("chunk-metadata-Engine") for key in earlier[0])
