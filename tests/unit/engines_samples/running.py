"""A sample engine hosted as the local runtime hosts it (a subprocess, Ready polled), and the
platform's side of a stream or batch task: a media server for `cacheURI` and the heartbeat and
result webhooks, recording what the engine posts."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from medialens.runtime.engine_processes import EngineProcess, EngineState
from medialens.sample_engines import sample_engine_commands

START_SECONDS = 60.0


@dataclass
class RunningEngine:
    name: str
    base_url: str
    pid: int | None = None

    def post(
        self, fields: dict[str, str], chunk: bytes | None = None, timeout: float = 60
    ) -> requests.Response:
        """POSTs the form: multipart with the chunk file (as the toolkit), urlencoded without one."""
        files = {"chunk": ("chunk.data", chunk, "application/octet-stream")} if chunk is not None else None
        return requests.post(f"{self.base_url}/process", data=fields, files=files, timeout=timeout)


@contextmanager
def running_engine(name: str) -> Iterator[RunningEngine]:
    """`python -m engines.<name>` as the local runtime starts it, until Ready answers 200; then stopped."""
    [command] = sample_engine_commands([name])
    engine = EngineProcess(command, ready_timeout=START_SECONDS)
    engine.start()
    try:
        if engine.wait_settled(START_SECONDS + 5) is not EngineState.READY:
            raise AssertionError(f"the {name} engine did not start: {engine.describe()}")
        yield RunningEngine(name, engine.base_url, engine.pid)
    finally:
        engine.stop()


@dataclass
class TaskRecord:
    heartbeats: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def final(self) -> dict[str, Any]:
        return self.heartbeats[-1][1]

    def outputs(self) -> list[dict[str, Any]]:
        return [result["output"] for result in self.results]


class ToolkitSide:
    """Serves media at `/media/<name>` (404 for an unknown name) and records each task's webhooks
    at `/tasks/<task>/heartbeat` and `/tasks/<task>/result` (answering 204, as the toolkit does)."""

    def __init__(self) -> None:
        self.media: dict[str, bytes] = {}
        self.tasks: dict[str, TaskRecord] = {}
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> ToolkitSide:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def task_fields(self, task: str, media: str | None, **extra: str) -> dict[str, str]:
        """The `/process` form of a stream or batch task, every field of seed 000 that applies."""
        with self._lock:
            self.tasks[task] = TaskRecord()
        fields = {
            "chunkMimeType": extra.pop("chunkMimeType", "video/mp4"),
            "startOffsetMS": "0",
            "endOffsetMS": "0",
            "payload": extra.pop("payload", "{}"),
            "internalJobId": "job-1",
            "internalTaskId": task,
            "chunkContext": json.dumps({"task": task}),
            "chunk-metadata-assetId": "asset-1",
            "taskTmpDir": "/nonexistent/task-tmp",
            "engineDir": "/nonexistent/engine-dir",
            "heartbeatWebhook": f"{self.base_url}/tasks/{task}/heartbeat",
            "resultWebhook": f"{self.base_url}/tasks/{task}/result",
            "maxTTL": "120",
            **extra,
        }
        if media is not None:
            fields["cacheURI"] = f"{self.base_url}/media/{media}"
        return fields

    def wait(self, task: str, timeout: float = 60) -> TaskRecord:
        record = self.tasks[task]
        if not record.finished.wait(timeout):
            raise AssertionError(f"task {task} did not finish: {record.heartbeats[-3:]}")
        return record

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        parts = request.path.strip("/").split("/")
        if parts[0] == "media" and len(parts) == 2 and parts[1] in self.media:
            response = Response(self.media[parts[1]], content_type="application/octet-stream")
        elif parts[0] == "tasks" and len(parts) == 3 and parts[1] in self.tasks and request.method == "POST":
            self._record(self.tasks[parts[1]], parts[2], request.get_json(force=True))
            response = Response(status=204)
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def _record(self, record: TaskRecord, kind: str, body: dict[str, Any]) -> None:
        with self._lock:
            if kind == "result":
                record.results.append(body)
            else:
                record.heartbeats.append((time.monotonic(), body))
                if body.get("status") in ("complete", "failed"):
                    record.finished.set()
