"""The sample engines' toolkit in process: Ready while loading, the form, task heartbeats and failures."""

from __future__ import annotations

import io
import json
import threading
import time
from typing import Any, ClassVar

import pytest
from werkzeug.test import Client

from api.engines.tasks import FAILURE_REASONS
from api.engines.tasks import HeartbeatStatus as PlatformStatus
from engines.toolkit import (
    ChunkEngine,
    EngineFailure,
    EngineService,
    FailureReason,
    HeartbeatStatus,
    ProcessRequest,
    TaskEngine,
    TaskReporter,
)
from engines.toolkit.media import ffmpeg_failure, ffmpeg_process
from engines.toolkit.service import _port_and_paths
from tests.unit.engines_samples.checks import assert_beats_every_second, assert_completed, assert_failed
from tests.unit.engines_samples.running import ToolkitSide

pytestmark = pytest.mark.xdist_group("engine-toolkit")


class SlowModel(ChunkEngine):
    """Loads when the test says so; echoes the parsed request."""

    name: ClassVar[str] = "slow"

    def __init__(self, fail: bool = False) -> None:
        self.release = threading.Event()
        self.fail = fail

    def load(self) -> None:
        assert self.release.wait(10)
        if self.fail:
            raise RuntimeError("weights missing")

    def process(self, request: ProcessRequest) -> dict[str, Any]:
        if request.payload.get("crash"):
            raise ZeroDivisionError("engine bug")
        return {
            "echo": {k: v for k, v in vars(request).items() if k != "chunk"},
            "size": len(request.chunk or b""),
        }


def _started(engine: ChunkEngine) -> tuple[EngineService, Client]:
    service = EngineService(engine, process_path="/v3/process", ready_path="/readyz")
    service.start_loading()
    return service, Client(service)


def test_ready_answers_503_while_loading_then_200() -> None:
    engine = SlowModel()
    service, client = _started(engine)

    assert client.get("/ready").status_code == 503
    assert client.post("/process", data={}).status_code == 503
    engine.release.set()
    assert service.loaded.wait(10)
    assert client.get("/ready").status_code == 200
    assert client.get("/readyz").status_code == 200  # the path of VERITONE_WEBHOOK_READY too


def test_ready_answers_500_when_the_model_fails_to_load() -> None:
    engine = SlowModel(fail=True)
    engine.release.set()
    service, client = _started(engine)
    deadline = time.monotonic() + 10
    while service.load_error is None and time.monotonic() < deadline:
        time.sleep(0.01)

    answer = client.get("/ready")

    assert answer.status_code == 500
    assert "weights missing" in answer.text
    assert client.post("/process", data={}).status_code == 500


def test_every_field_of_the_form_is_parsed_typed() -> None:
    engine = SlowModel()
    engine.release.set()
    service, client = _started(engine)
    assert service.loaded.wait(10)
    fields = {
        "chunkMimeType": "IMAGE/JPEG",
        "chunkUUID": "u-1",
        "chunkIndex": "7",
        "startOffsetMS": "1000",
        "endOffsetMS": "1500",
        "width": "640",
        "height": "360",
        "cacheURI": "http://127.0.0.1:1/chunk",
        "payload": '{"threshold": 0.5}',
        "internalJobId": "job",
        "internalTaskId": "job:faces",
        "chunkContext": '{"chunkIndex": 7}',
        "chunk-metadata-assetId": "asset-9",
        "libraryId": "lib",
        "libraryEngineModelId": "model",
        "libraryModelDirectory": "/models",
        "taskTmpDir": "/tmp/task",
        "engineDir": "/engine",
        "heartbeatWebhook": "http://127.0.0.1:1/hb",
        "resultWebhook": "http://127.0.0.1:1/result",
        "maxTTL": "90",
    }
    answer = client.post("/v3/process", data={**fields, "chunk": (io.BytesIO(b"12345"), "chunk.data")})

    assert answer.status_code == 200
    body = answer.get_json()
    assert body["size"] == 5
    echo = body["echo"]
    assert (echo["chunk_index"], echo["start_offset_ms"], echo["end_offset_ms"]) == (7, 1000, 1500)
    assert (echo["width"], echo["height"], echo["max_ttl"]) == (640, 360, 90)
    assert echo["chunk_mime_type"] == "image/jpeg"
    assert echo["payload"] == {"threshold": 0.5}
    assert echo["chunk_metadata"] == {"assetId": "asset-9"}
    assert echo["library_model_directory"] == "/models" and echo["task_tmp_dir"] == "/tmp/task"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"endOffsetMS": "-5"}, "must not be negative"),
        ({"startOffsetMS": "900", "endOffsetMS": "100"}, "before startOffsetMS"),
        ({"maxTTL": "1h"}, "maxTTL must be an integer"),
    ],
)
def test_bad_numbers_are_a_400(fields: dict[str, str], message: str) -> None:
    engine = SlowModel()
    engine.release.set()
    service, client = _started(engine)
    assert service.loaded.wait(10)

    answer = client.post("/process", data=fields)

    assert answer.status_code == 400
    assert message in answer.text


def test_an_engine_bug_is_a_500_with_its_message() -> None:
    engine = SlowModel()
    engine.release.set()
    service, client = _started(engine)
    assert service.loaded.wait(10)

    answer = client.post("/process", data={"payload": '{"crash": true}'})

    assert answer.status_code == 500
    assert "ZeroDivisionError: engine bug" in answer.text


def test_port_and_paths_come_from_the_toolkit_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERITONE_WEBHOOK_PROCESS", "http://127.0.0.1:9123/v3/process")
    monkeypatch.setenv("VERITONE_WEBHOOK_READY", "http://127.0.0.1:9123/readyz")

    assert _port_and_paths(None) == (9123, "/v3/process", "/readyz")
    assert _port_and_paths(0) == (0, "/v3/process", "/readyz")


def test_heartbeat_words_are_the_platforms() -> None:
    # The engines stand alone (no import of the platform's packages), so they mirror its words.
    assert {reason.value for reason in FailureReason} == FAILURE_REASONS
    assert {status.value for status in HeartbeatStatus} == {status.value for status in PlatformStatus}


class Counting(TaskEngine):
    name: ClassVar[str] = "counting"

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour

    def load(self) -> None:
        pass

    def run(self, request: ProcessRequest, task: TaskReporter) -> None:
        for second in range(3):
            task.result(
                {"series": [{"startTimeMs": second * 1000, "stopTimeMs": second * 1000 + 1000}]}, 0, 0
            )
            if self.behaviour == "fail":
                raise EngineFailure(FailureReason.INVALID_DATA, "bad frame")
            if self.behaviour == "crash":
                raise KeyError("oops")
            task.progress(bytes_read=10, info=f"second {second}")
            time.sleep(1.05)


@pytest.mark.parametrize(
    ("behaviour", "status", "reason"),
    [("ok", "complete", None), ("fail", "failed", "invalid_data"), ("crash", "failed", "internal_error")],
)
def test_task_heartbeats_each_second_then_ends(behaviour: str, status: str, reason: str | None) -> None:
    service = EngineService(Counting(behaviour))
    service.start_loading()
    client = Client(service)
    with ToolkitSide() as toolkit:
        assert service.loaded.wait(10)
        answer = client.post("/process", data=toolkit.task_fields("t", None, maxTTL="30"))
        assert answer.get_json() == {"estimatedProcessingTimeInSeconds": 30}

        record = toolkit.wait("t", timeout=20)

    if status == "complete":
        assert_completed(record)
        assert_beats_every_second(record)
        assert len(record.results) == 3 and record.final["bytesRead"] == 30
        assert all(json.loads(result["chunkContext"]) == {"task": "t"} for result in record.results)
    else:
        assert record.final["status"] == "failed" and record.final["failureReason"] == reason
        assert record.final["messagesWritten"] == 1


def test_a_result_the_webhook_refuses_fails_the_task_api_error() -> None:
    with ToolkitSide() as toolkit:
        fields = toolkit.task_fields("refused", None)
        reporter = TaskReporter(fields["heartbeatWebhook"], f"{toolkit.base_url}/nowhere")

        reporter.run(lambda task: task.result({"series": []}, 0, 0))

        record = toolkit.wait("refused", timeout=10)
    assert_failed(record, "api_error")
    assert "404" in record.final["failureMsg"]


def test_work_past_max_ttl_is_stopped() -> None:
    with ToolkitSide() as toolkit:
        fields = toolkit.task_fields("late", None)
        reporter = TaskReporter(fields["heartbeatWebhook"], fields["resultWebhook"], max_ttl_seconds=1)

        def work(task: TaskReporter) -> None:
            for _ in range(100):  # bounded; progress() ends it after a second
                task.progress(info="working")
                time.sleep(0.05)

        reporter.run(work)
        record = toolkit.wait("late", timeout=10)
    assert_failed(record, "other")
    assert "maxTTL" in record.final["failureMsg"]


def test_a_stalled_ffmpeg_is_killed_at_max_ttl() -> None:
    task = TaskReporter("http://127.0.0.1:9/unused", "http://127.0.0.1:9/unused", max_ttl_seconds=1)
    slow = ["-loglevel", "error", "-re", "-f", "lavfi", "-i", "anullsrc", "-t", "60", "-f", "null", "-"]

    with ffmpeg_process(slow, stdout=False, task=task) as process:
        exit_code = process.wait(timeout=20)  # real time: 60 s unless the watchdog kills it

    assert exit_code != 0
    with pytest.raises(EngineFailure, match="past maxTTL"):
        raise ffmpeg_failure(task, "read the media", "")
