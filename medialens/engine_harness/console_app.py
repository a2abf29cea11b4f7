"""`medialens engine console`: the Engine Toolkit's Test Console (`engine/console.go`), on 127.0.0.1.

    GET  /              the page (console_page.py): a Ready badge, the form, the answer
    GET  /api/ready     one GET of the engine's Ready webhook → {"ready", "status", "detail"}
    GET  /api/tasks/ID  a stream or batch task's heartbeats and results so far (its webhooks are
                        served by the console; the page follows the task until it ends)
    POST /api/process   the page's form → the engine's /process with every field the platform
                        sends (operators.engine.run.build_form) and its retry policy →
                        {"outcome", "attempts", "statuses", "timeMs", "answer", "contentType",
                         "error", "fields", "task", "validation": {"mode", "verdict", "problems"}}

Unlike the toolkit's console, every answer is validated against VTN (off | warn | strict, the
contracts from the options or the manifest). A mistake in the form (payload not a JSON object, an
offset not a whole number) is a 400 saying what is wrong. Uploaded files are kept in a temporary
folder, served as the `cacheURI`, and removed when the console stops; nothing else is written.
"""

from __future__ import annotations

import json
import mimetypes
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Request, Response

from api.engines.models import EngineBlock, EngineMode, ValidationMode
from api.engines.plan import Chunk
from medialens.engine_harness.console_page import render_page
from medialens.engine_harness.errors import HarnessError
from medialens.engine_harness.manifest_check import check_manifest, check_manifest_content
from medialens.engine_harness.settings import (
    EngineOptions,
    Limits,
    engine_block,
    payload_object,
    resolve_engine,
)
from medialens.engine_harness.task_server import Task, TaskServer
from operators.engine.client import CONNECT_TIMEOUT_SECONDS, CallLimits, Outcome, post_chunk
from operators.engine.run import TaskContext, build_form
from operators.engine.vtn import validate

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
READY_CHECK_SECONDS = 2.0
# Without a manifest, a chunk engine; the console sends any file whatever the manifest says, as the
# toolkit's console does.
ANY_CHUNK = {"engineMode": "chunk", "supportedInputFormats": ["application/octet-stream"]}


@dataclass
class ConsoleSettings:
    command: str | None = None
    process_url: str | None = None
    ready_url: str | None = None
    manifest: Path | None = None
    port: int = 0
    validation: str = "warn"
    contracts: list[str] = field(default_factory=list)
    call_timeout: int = 300
    attempts: int = 3


class FormError(Exception):
    """A mistake in the console's form: a 400 with this message."""


class ConsoleServer:
    """The console and, with a command, the engine it started; a context manager."""

    def __init__(self, settings: ConsoleSettings, *, forward: Callable[[str], None] | None = None) -> None:
        check = check_manifest(settings.manifest) if settings.manifest else check_manifest_content(ANY_CHUNK)
        self._engine, process_url, ready_url = resolve_engine(
            settings.command, settings.process_url, settings.ready_url, forward
        )
        limits = Limits(call_timeout=settings.call_timeout, attempts=settings.attempts)
        options = EngineOptions(validation=settings.validation, contracts=settings.contracts)
        self.block = engine_block(process_url, ready_url, check, limits, options)
        self._port = settings.port
        self._stack = ExitStack()
        self._server: BaseWSGIServer | None = None
        self._media: TaskServer | None = None
        self._folder = Path()
        self._calls = 0
        self._tasks: dict[str, Task] = {}
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        assert self._server is not None, "the console is not started"
        return f"http://127.0.0.1:{self._server.server_port}/"

    def __enter__(self) -> ConsoleServer:
        with ExitStack() as stack:
            self._folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="medialens-console-")))
            if self._engine is not None:
                stack.enter_context(self._engine)
            self._media = stack.enter_context(TaskServer())
            try:
                self._server = make_server("127.0.0.1", self._port, self._app, threaded=True)
            except OSError as exc:
                raise HarnessError(f"cannot listen on 127.0.0.1:{self._port}: {exc.strerror}") from None
            thread = threading.Thread(target=self._server.serve_forever, name="engine-console", daemon=True)
            thread.start()
            stack.callback(thread.join, 10)
            stack.callback(self._server.server_close)
            stack.callback(self._server.shutdown)
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *_: object) -> None:
        self._stack.close()

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        request.max_content_length = MAX_UPLOAD_BYTES
        if request.path == "/" and request.method == "GET":
            response = Response(render_page(self.block), content_type="text/html; charset=utf-8")
        elif request.path == "/api/ready" and request.method == "GET":
            response = _json(self._ready())
        elif request.path.startswith("/api/tasks/") and request.method == "GET":
            task = self._tasks.get(request.path.removeprefix("/api/tasks/"))
            response = _json(self._task_view(task)) if task else _json({"error": "no such task"}, status=404)
        elif request.path == "/api/process" and request.method == "POST":
            try:
                response = _json(self._process(request))
            except FormError as exc:
                response = _json({"error": str(exc)}, status=400)
        else:
            response = _json({"error": "not found"}, status=404)
        return response(environ, start_response)

    def _ready(self) -> dict[str, Any]:
        try:
            timeout = (CONNECT_TIMEOUT_SECONDS, READY_CHECK_SECONDS)
            answer = requests.get(str(self.block.ReadyUrl), timeout=timeout)
        except requests.RequestException as exc:
            return {"ready": False, "status": None, "detail": f"no answer ({type(exc).__name__})"}
        detail = {200: "ready", 500: "the engine is broken (Ready answered 500)"}.get(answer.status_code)
        return {
            "ready": answer.status_code == 200,
            "status": answer.status_code,
            "detail": detail or f"not ready yet ({answer.status_code})",
        }

    def _process(self, request: Request) -> dict[str, Any]:
        assert self._media is not None
        with self._lock:
            self._calls += 1
            index = self._calls - 1
        form = request.form
        upload = request.files.get("chunk")
        if upload is None or not upload.filename:
            raise FormError("choose a file to send as the chunk")
        folder = self._folder / "uploads" / uuid.uuid4().hex
        folder.mkdir(parents=True)
        path = folder / (secure_filename(upload.filename) or "chunk")
        upload.save(path)
        guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        mime = form.get("chunkMimeType", "").strip() or guessed
        chunk = Chunk(
            index,
            str(path),
            mime,
            _whole(form, "startOffsetMS"),
            _whole(form, "endOffsetMS"),
            _whole(form, "width"),
            _whole(form, "height"),
        )
        block = self.block.model_copy(
            update={
                "Payload": _payload(form.get("payload", "")),
                "LibraryId": form.get("libraryId", "").strip() or None,
                "LibraryEngineModelId": form.get("libraryEngineModelId", "").strip() or None,
            }
        )
        job = f"console-{uuid.uuid4()}"
        task = TaskContext(job, "EngineConsole", f"asset-{job}", block.Payload)
        task_tmp = folder / "task-tmp"
        task_tmp.mkdir()
        cache_uri = self._media.publish(path, mime)
        fields = build_form(block, task, chunk, cache_uri, task_tmp, self._folder / "engine")
        # As on the platform: every call is a webhook task (a chunk engine may answer later), and
        # stream and batch engines read cacheURI: no file.
        opened, heartbeat, result = self._media.open_task(block.MaxTTLSeconds)
        self._tasks[task_id := opened.task_id] = opened
        fields.update(heartbeatWebhook=heartbeat, resultWebhook=result)
        upload_part = (
            (f"chunk{path.suffix}", path.read_bytes(), mime) if block.mode is EngineMode.CHUNK else None
        )
        limits = CallLimits(block.CallTimeoutSeconds, block.MaxResponseBytes, block.Retry)
        started = time.perf_counter()
        reply = post_chunk(str(block.ProcessUrl), fields, upload_part, limits)
        answer: str | None = None
        if reply.output is not None:
            answer = json.dumps(reply.output, indent=2, ensure_ascii=False)
        elif reply.body:
            answer = reply.body.decode("utf-8", "replace")
        return {
            "outcome": reply.outcome.value,
            "attempts": reply.attempts,
            "statuses": reply.statuses,
            "timeMs": round((time.perf_counter() - started) * 1000),
            "answer": answer,
            "contentType": reply.content_type,
            "error": reply.error or None,
            "fields": fields,
            "task": task_id,
            "validation": _verdict(block, reply.output if reply.outcome is Outcome.SUCCESS else None),
        }

    def _task_view(self, task: Task) -> dict[str, Any]:
        """A task so far: `status` (waiting | running | complete | failed), the heartbeats, each
        distinct result with its verdict, and `settled`: nothing more to wait for (a chunk's first
        result, a complete or failed heartbeat, or past maxTTL)."""
        _, beat = task.last_heartbeat()
        status = beat["status"] if beat else "waiting"
        settled = status in ("complete", "failed") or time.monotonic() > task.expires_at
        if self.block.mode is EngineMode.CHUNK and task.results:
            settled = True
        results = [
            {**{k: v for k, v in result.items() if k != "output"}, "output": result["output"],
             "validation": _verdict(self.block, result["output"])}
            for result in list(task.results)
        ]  # fmt: skip
        return {
            "status": status,
            "settled": settled,
            "heartbeats": len(task.heartbeats),
            "lastHeartbeat": beat,
            "results": results,
            "repeatedResults": task.repeated_results,
            "refusals": list(task.refusals),
        }


def _verdict(block: EngineBlock, output: Any) -> dict[str, Any]:
    """`output`'s VTN verdict under the block's validation mode; None: no output to check."""
    mode = block.Validation.Mode
    if mode is ValidationMode.OFF or output is None:
        return {"mode": mode.value, "verdict": "not checked", "problems": []}
    if isinstance(output, dict):
        problems = validate(output, block.Validation.Contracts)
    else:
        problems = ["$: the answer is JSON but not an object; VTN is an object"]
    verdict = "valid VTN" if not problems else f"not valid VTN: {len(problems)} problems"
    return {"mode": mode.value, "verdict": verdict, "problems": problems}


def serve_console(settings: ConsoleSettings, *, announce: Callable[[str], None]) -> None:
    """Serve until Ctrl-C or SIGTERM; the engine started and the uploads are removed on the way out."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with ConsoleServer(settings) as server:
        announce(f"engine console: {server.url}  (Ctrl-C stops it)")
        while not stop.wait(0.5):
            pass
    announce("engine console stopped")


def _json(document: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(document), status=status, content_type="application/json")


def _whole(form: Any, name: str) -> int:
    text = str(form.get(name, "")).strip()
    if not text:
        return 0
    if not text.isdigit():
        raise FormError(f"{name} must be a whole number ≥ 0, got {text!r}")
    return int(text)


def _payload(text: str) -> dict[str, Any]:
    try:
        return payload_object(text)
    except HarnessError as exc:
        raise FormError(str(exc)) from None
