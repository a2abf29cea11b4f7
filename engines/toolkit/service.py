"""An engine as the Engine Toolkit drives it: `/ready` and `/process` on 127.0.0.1.

- `GET /ready`: 503 while the model loads (in a background thread from start), 200 once loaded,
  500 when loading failed (the toolkit then gives the engine up).
- `POST /process` (multipart form, seed 000): a `ChunkEngine` answers the chunk's VTN document
  with 200 (an empty `series` when nothing was found, so the platform counts the chunk); a
  `TaskEngine` (stream or batch mode) answers `{"estimatedProcessingTimeInSeconds": n}` at once and
  works in a thread, reporting on the heartbeat and result webhooks. Bad input is a 400 with a
  message; a call before the model is loaded is a 503.

The port and paths come from `VERITONE_WEBHOOK_PROCESS` / `VERITONE_WEBHOOK_READY` (URLs such as
`http://127.0.0.1:8080/process`, as the toolkit sets them), or `--port` (0 = a free port). The
service prints `<name> engine listening on http://127.0.0.1:<port>` once it listens; logs go to
stderr, which the supervisor forwards.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from engines.toolkit.form import BadInputError, ProcessRequest, parse_process_form
from engines.toolkit.task import DEFAULT_MAX_TTL_SECONDS, TaskReporter

LOG = logging.getLogger("engines")
PROCESS_URL_ENV = "VERITONE_WEBHOOK_PROCESS"
READY_URL_ENV = "VERITONE_WEBHOOK_READY"
DEFAULT_PORT = 8080  # the toolkit's examples
MAX_FORM_BYTES = 200 * 1024 * 1024


class Engine(ABC):
    """What every engine has: a name and a model to load before it is ready."""

    name: ClassVar[str]

    @abstractmethod
    def load(self) -> None:
        """Loads the model (runs in a background thread; an exception makes `/ready` answer 500)."""

    def close(self) -> None:  # noqa: B027 - an optional hook, nothing to release by default
        """Releases what `load` started (worker processes, ...) when the service stops."""


class ChunkEngine(Engine):
    """Chunk mode: one VTN document per `/process` call."""

    @abstractmethod
    def process(self, request: ProcessRequest) -> dict[str, Any]:
        """The chunk's VTN document. Raises `BadInputError` for input it cannot take."""


class TaskEngine(Engine):
    """Stream or batch mode: `/process` starts a task that reports on the webhooks."""

    def check(self, request: ProcessRequest) -> None:
        """Refuses a request the task could not start with (`BadInputError`), before accepting it."""

    def estimate_seconds(self, request: ProcessRequest) -> int:
        """`estimatedProcessingTimeInSeconds`: the toolkit's documents suggest the maxTTL."""
        return request.max_ttl or DEFAULT_MAX_TTL_SECONDS

    @abstractmethod
    def run(self, request: ProcessRequest, task: TaskReporter) -> None:
        """Does the work, posting results with `task.result(...)`; raises `EngineFailure`."""


class EngineService:
    """The WSGI application of one engine."""

    def __init__(self, engine: Engine, *, process_path: str = "/process", ready_path: str = "/ready") -> None:
        self.engine = engine
        self.process_paths = {process_path, "/process"}
        self.ready_paths = {ready_path, "/ready"}
        self.loaded = threading.Event()
        self.load_error: str | None = None

    def start_loading(self) -> threading.Thread:
        thread = threading.Thread(target=self._load, name=f"{self.engine.name}-load", daemon=True)
        thread.start()
        return thread

    def _load(self) -> None:
        started = time.monotonic()
        try:
            self.engine.load()
        except Exception as exc:
            LOG.exception("%s: the model failed to load", self.engine.name)
            self.load_error = f"{type(exc).__name__}: {exc}"
            return
        LOG.info("%s: model loaded in %.1f s", self.engine.name, time.monotonic() - started)
        self.loaded.set()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        request.max_content_length = MAX_FORM_BYTES
        if request.path in self.ready_paths and request.method in ("GET", "HEAD"):
            response = self._ready()
        elif request.path in self.process_paths and request.method == "POST":
            response = self._process(request)
        else:
            response = _text(404, f"not found: {request.method} {request.path}")
        return response(environ, start_response)

    def _ready(self) -> Response:
        if self.load_error is not None:
            return _text(500, f"the model failed to load: {self.load_error}")
        if not self.loaded.is_set():
            return _text(503, "loading the model")
        return _text(200, "OK")

    def _process(self, request: Request) -> Response:
        if not self.loaded.is_set():
            return self._ready() if self.load_error else _text(503, "not ready: loading the model")
        try:
            form = parse_process_form(request)
            if isinstance(self.engine, ChunkEngine):
                return _json(200, self.engine.process(form))
            if isinstance(self.engine, TaskEngine):
                return _json(200, self._start_task(self.engine, form))
        except BadInputError as exc:
            return _text(400, str(exc))
        except RequestEntityTooLarge:
            return _text(413, f"the form is larger than {MAX_FORM_BYTES} bytes")
        except Exception as exc:
            LOG.exception("%s: /process failed", self.engine.name)
            return _text(500, f"{type(exc).__name__}: {exc}")
        raise TypeError(f"{type(self.engine).__name__} is neither a ChunkEngine nor a TaskEngine")

    def _start_task(self, engine: TaskEngine, form: ProcessRequest) -> dict[str, Any]:
        if not form.heartbeat_webhook or not form.result_webhook:
            raise BadInputError("a stream or batch task needs heartbeatWebhook and resultWebhook")
        engine.check(form)
        reporter = TaskReporter(
            form.heartbeat_webhook,
            form.result_webhook,
            chunk_context=form.chunk_context,
            max_ttl_seconds=form.max_ttl,
        )
        thread = threading.Thread(
            target=reporter.run,
            args=(lambda task: engine.run(form, task),),
            name=f"{engine.name}-task",
            daemon=True,
        )
        thread.start()
        return {"estimatedProcessingTimeInSeconds": engine.estimate_seconds(form)}


def _text(status: int, message: str) -> Response:
    return Response(message, status=status, content_type="text/plain; charset=utf-8")


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _port_and_paths(port: int | None) -> tuple[int, str, str]:
    process = urlsplit(os.environ.get(PROCESS_URL_ENV, ""))
    ready = urlsplit(os.environ.get(READY_URL_ENV, ""))
    if port is None:
        port = process.port or ready.port or DEFAULT_PORT
    return port, process.path or "/process", ready.path or "/ready"


def serve(engine: Engine, argv: Sequence[str] | None = None) -> None:
    """The `python -m engines.<name>` entry point: load in the background, serve until stopped."""
    parser = argparse.ArgumentParser(prog=f"python -m engines.{engine.name}", description=engine.__doc__)
    parser.add_argument(
        "--port", type=int, default=None, help=f"0 = a free port; default from {PROCESS_URL_ENV}"
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    port, process_path, ready_path = _port_and_paths(arguments.port)
    service = EngineService(engine, process_path=process_path, ready_path=ready_path)
    server = make_server("127.0.0.1", port, service, threaded=True)
    print(f"{engine.name} engine listening on http://127.0.0.1:{server.server_port}", flush=True)
    service.start_loading()
    signal.signal(signal.SIGTERM, _stop)  # a supervisor's stop: close the engine cleanly
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        engine.close()


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(0)
