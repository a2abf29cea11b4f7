"""A server on 127.0.0.1 playing the platform's part for one harness run.

    GET  /media/{token}/{name}                  a published file (the `cacheURI`; Range requests work)
    POST /tasks/{task}/{secret}/heartbeat       the heartbeat webhook                    → 204
    POST /tasks/{task}/{secret}/result          the result webhook                       → 204

As on the platform (api/engines/webhooks.py, whose body rules are reused): an unknown task, a wrong
secret or a call past the task's maxTTL is a 403 and keeps nothing; a malformed body is a 400
saying why; a repeated result is kept once. Every refused call is recorded: an engine that makes
one has a bug the report names.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

from api.engines.tasks import secret_matches
from api.engines.webhooks import WebhookRefusedError, parse_body, parse_heartbeat, parse_result

FORBIDDEN = "forbidden: unknown task, wrong secret or past the task's maxTTL"


@dataclass
class Task:
    """One stream or batch task: what its webhooks received, in order."""

    task_id: str
    secret_sha256: str
    expires_at: float  # time.monotonic()
    heartbeats: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    repeated_results: int = 0
    refusals: list[str] = field(default_factory=list)
    late_calls: int = 0  # past maxTTL: refused (403), a consequence of the maxTTL failure, not a bug
    last_heartbeat_at: float | None = None  # time.monotonic()
    _digests: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def last_heartbeat(self) -> tuple[float | None, dict[str, Any] | None]:
        with self._lock:
            return self.last_heartbeat_at, (self.heartbeats[-1] if self.heartbeats else None)

    def refused(self, message: str) -> None:
        with self._lock:
            self.refusals.append(message)

    def receive(self, kind: str, body: dict[str, Any]) -> None:
        if kind == "heartbeat":
            beat = parse_heartbeat(body)
            with self._lock:
                self.heartbeats.append(beat)
                self.last_heartbeat_at = time.monotonic()
            return
        result = parse_result(body)
        digest = hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest()
        with self._lock:
            if digest in self._digests:
                self.repeated_results += 1
            else:
                self._digests.add(digest)
                self.results.append(result)


class TaskServer:
    """The media and webhook server, started on a free port of 127.0.0.1; a context manager."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[Path, str]] = {}
        self._tasks: dict[str, Task] = {}
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> TaskServer:
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="harness-server", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "the server is not started"
        return f"http://127.0.0.1:{self._server.server_port}"

    def publish(self, path: Path, mime_type: str) -> str:
        """A URL serving `path` (a bearer secret, as a presigned GET is)."""
        token = secrets.token_urlsafe(16)
        self._files[token] = (path, mime_type)
        return f"{self.base_url}/media/{token}/{path.name}"

    def open_task(self, max_ttl_seconds: float) -> tuple[Task, str, str]:
        """A new task and its (heartbeatWebhook, resultWebhook), each URL carrying its secret."""
        task_id, secret = secrets.token_urlsafe(8), secrets.token_urlsafe(32)
        digest = hashlib.sha256(secret.encode()).hexdigest()
        task = Task(task_id, digest, time.monotonic() + max_ttl_seconds)
        self._tasks[task_id] = task
        base = f"{self.base_url}/tasks/{task_id}/{secret}"
        return task, f"{base}/heartbeat", f"{base}/result"

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        parts = request.path.strip("/").split("/")
        if request.method in ("GET", "HEAD") and len(parts) == 3 and parts[0] == "media":
            response = self._media(request, parts[1])
        elif request.method == "POST" and len(parts) == 4 and parts[0] == "tasks":
            response = self._webhook(request, parts[1], parts[2], parts[3])
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def _media(self, request: Request, token: str) -> Response:
        published = self._files.get(token)
        if published is None:
            return Response("not found", status=404)
        path, mime_type = published
        return send_file(path, request.environ, mimetype=mime_type, conditional=True, max_age=0)

    def _webhook(self, request: Request, task_id: str, secret: str, kind: str) -> Response:
        task = self._tasks.get(task_id)
        if kind not in ("heartbeat", "result"):
            return _refusal(404, "not found: POST /tasks/{task}/{secret}/heartbeat or /result")
        if task is None or not secret_matches(secret, task.secret_sha256):
            if task is not None:
                task.refused(f"{kind} webhook called with a wrong secret: 403")
            return _refusal(403, FORBIDDEN)
        if time.monotonic() > task.expires_at:
            task.late_calls += 1
            return _refusal(403, FORBIDDEN)
        try:
            task.receive(kind, parse_body(request.get_data()))
        except WebhookRefusedError as refused:
            task.refused(f"{kind} webhook refused a call: {refused.status} {refused}")
            return _refusal(refused.status, str(refused))
        return Response(status=204)


def _refusal(status: int, message: str) -> Response:
    return Response(json.dumps({"Message": message}), status=status, content_type="application/json")
