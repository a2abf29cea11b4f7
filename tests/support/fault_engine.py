"""A Veritone-style chunk engine on 127.0.0.1 whose faults a test chooses: the other side of the toolkit.

`/ready` and `/process` behave as `FaultEngine.ready` and `.process` say, and every `/process`
form received is kept (fields and the chunk's size) for the test to inspect.

Ready modes: `ok`, `never` (503 forever), `broken` (500), `late:N` (503 for the first N polls).
Process modes: `ok` (a valid VTN object per chunk, or a relative-time series with `relative`),
`fail-once` (500 on each chunk's first attempt), `status:N` (always N), `hang` (sleeps
`hang_seconds`), `invalid` (VTN with an unknown field in a series item), `huge` (a 50 MB JSON),
`ignore` (204), `ttml` (200 application/ttml+xml), `slow:S` (a valid answer after S seconds).
Async modes (a stream or batch engine: answers `{"estimatedProcessingTimeInSeconds": 2}`, then
posts to its webhooks from a thread): `async-complete` (running, a result twice, complete),
`async-failed` (failed: invalid_data), `async-silent` (no heartbeat at all), `async-stops` (one
running heartbeat, then silence), `async-running` (running every 0.3 s for up to 20 s),
`async-malformed` (a heartbeat with an unknown failureReason, then complete), `async-forged` (a
heartbeat to its URL with the secret changed, then complete), and for a chunk engine
`async-chunk` (answers `{"estimatedProcessingTimeInSeconds": 1}`, then posts the chunk's result
to its result webhook). Each webhook answer's status is kept in `webhook_statuses` (0: the
webhook server was gone).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

HUGE_BYTES = 50 * 1024 * 1024


@dataclass
class FaultEngine:
    ready: str = "ok"
    process: str = "ok"
    hang_seconds: float = 30.0
    forms: list[dict[str, Any]] = field(default_factory=list)
    ready_polls: int = 0
    attempts: Counter[str] = field(default_factory=Counter)
    webhook_statuses: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _server: BaseWSGIServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> FaultEngine:
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-engine", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def block(self, **extra: Any) -> dict[str, Any]:
        """An `Engine` block for this engine (a chunk engine taking JPEG frames and WAV audio)."""
        return {
            "ProcessUrl": f"{self.base_url}/process",
            "ReadyUrl": f"{self.base_url}/ready",
            "Manifest": {
                "engineMode": "chunk",
                "supportedInputFormats": ["image/jpeg", "audio/wav"],
                "outputFormats": ["application/json"],
                "maxConcurrency": 8,
            },
            **extra,
        }

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/ready":
            response = self._ready()
        elif request.path == "/process" and request.method == "POST":
            response = self._process(request)
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def _ready(self) -> Response:
        with self._lock:
            self.ready_polls += 1
            polls = self.ready_polls
        mode, _, arg = self.ready.partition(":")
        if mode == "ok" or (mode == "late" and polls > int(arg)):
            return Response("OK", status=200)
        if mode == "broken":
            return Response("model failed to load", status=500)
        return Response("warming up", status=503)

    def _process(self, request: Request) -> Response:
        fields = dict(request.form)
        chunk = request.files.get("chunk")
        fields["chunk.size"] = len(chunk.read()) if chunk is not None else None
        key = fields.get("chunkIndex", "?")
        with self._lock:
            self.forms.append(fields)
            self.attempts[key] += 1
            attempt = self.attempts[key]
        mode, _, arg = self.process.partition(":")
        if mode.startswith("async-"):
            threading.Thread(target=self._async_work, args=(mode, fields), daemon=True).start()
            estimate = 1 if mode == "async-chunk" else 2  # short: a chunk run waits for it
            return Response(
                json.dumps({"estimatedProcessingTimeInSeconds": estimate}), content_type="application/json"
            )
        if mode == "fail-once" and attempt == 1:
            return Response("Something went wrong", status=500)
        if mode == "status":
            return Response(f"engine says {arg}", status=int(arg))
        if mode == "hang":
            time.sleep(self.hang_seconds)
        if mode == "slow":
            time.sleep(float(arg))
        if mode == "ignore":
            return Response(status=204)
        if mode == "ttml":
            return Response("<tt/>", status=200, content_type="application/ttml+xml")
        if mode == "huge":
            return Response(b" " * HUGE_BYTES, status=200, content_type="application/json")
        start, end = int(fields["startOffsetMS"]), int(fields["endOffsetMS"])
        if mode == "invalid":
            body: dict[str, Any] = {"series": [{"startTimeMs": start, "stopTimeMs": end, "found": "x"}]}
        elif mode == "relative":
            body = {"series": [{"startTimeMs": 0, "stopTimeMs": end - start, "words": [{"word": "hi"}]}]}
        else:
            label = f"chunk {fields.get('chunkIndex')}"
            body = {"object": [{"type": "object", "label": label, "confidence": 0.9}]}
        return Response(json.dumps(body), status=200, content_type="application/json")

    def _post(self, url: str, body: dict[str, Any]) -> None:
        """Post to a webhook; a webhook server already gone is recorded as status 0."""
        try:
            status = requests.post(url, json=body, timeout=10).status_code
        except requests.RequestException:
            status = 0
        with self._lock:
            self.webhook_statuses.append(status)

    def _async_work(self, mode: str, fields: dict[str, Any]) -> None:
        """What a stream or batch engine does after accepting the task (bounded: 20 s at most)."""
        heartbeat, result = fields.get("heartbeatWebhook"), fields.get("resultWebhook")
        if not heartbeat or not result:
            return  # a chunk engine's call carries no webhooks: nowhere to report
        if mode == "async-complete":
            self._post(heartbeat, {"status": "running", "bytesRead": 10, "infoMs": "reading"})
            output = {"series": [{"startTimeMs": 1000, "stopTimeMs": 2000, "words": [{"word": "hello"}]}]}
            body = {"output": output, "startOffsetMs": 0, "endOffsetMs": 3000}
            self._post(result, body)
            self._post(result, body)  # a repeated result is stored once
            self._post(heartbeat, {"status": "complete", "infoMsg": "1 result"})
        elif mode == "async-chunk":
            time.sleep(0.2)
            label = f"chunk {fields.get('chunkIndex')} later"
            self._post(
                result, {"output": {"object": [{"type": "object", "label": label, "confidence": 0.9}]}}
            )
        elif mode == "async-failed":
            self._post(
                heartbeat, {"status": "failed", "failureReason": "invalid_data", "failureMsg": "unreadable"}
            )
        elif mode in ("async-malformed", "async-forged"):
            if mode == "async-malformed":
                self._post(heartbeat, {"status": "running", "failureReason": "bored"})
            else:
                task, secret = heartbeat.split("/")[-3:-1]
                self._post(
                    heartbeat.replace(f"/{task}/{secret}/", f"/{task}/{secret[:-2]}xx/"),
                    {"status": "running"},
                )
            self._post(heartbeat, {"status": "complete"})
        elif mode == "async-stops":
            self._post(heartbeat, {"status": "running", "infoMsg": "started"})
        elif mode == "async-running":
            for _ in range(66):
                if self._stopping.wait(0.3):
                    return
                self._post(heartbeat, {"status": "running"})


@contextmanager
def started_engine() -> Iterator[FaultEngine]:
    """A fault engine serving on 127.0.0.1 (all modes `ok`) until the block ends."""
    server = FaultEngine().start()
    try:
        yield server
    finally:
        server.stop()
