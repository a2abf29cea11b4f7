"""Fixtures for the operator SDK tests: an in-memory transport and a real local HTTP server."""

from __future__ import annotations

import json
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from medialens_helper import DataplaneRequest, DataplaneResponse

FAKE_ACCESS_KEY = "AKIDMEDIALENSTEST"
FAKE_SECRET_KEY = "medialens-test-secret-key"
FAKE_REGION = "eu-west-1"


class FakeTransport:
    """Records every request; answers from a script of responses (or exceptions to raise)."""

    def __init__(self, *script: DataplaneResponse | Exception) -> None:
        self.requests: list[DataplaneRequest] = []
        self._script = list(script)

    def answer(self, *script: DataplaneResponse | Exception) -> None:
        self._script.extend(script)

    def handle(self, request: DataplaneRequest) -> DataplaneResponse:
        self.requests.append(request)
        if not self._script:
            return DataplaneResponse(200, {})
        reply = self._script.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply

    @property
    def last(self) -> DataplaneRequest:
        return self.requests[-1]


@pytest.fixture
def fake_transport() -> FakeTransport:
    return FakeTransport()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Fixed fake credentials and region; no profile or config file from the machine."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET_KEY)
    monkeypatch.setenv("AWS_REGION", FAKE_REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", FAKE_REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@dataclass
class ReceivedRequest:
    method: str
    target: str  # path plus query string, as sent on the request line
    headers: dict[str, str]
    body: bytes


Responder = Callable[[ReceivedRequest], tuple[int, Any]]


@dataclass
class LocalServer:
    """A real HTTP server on 127.0.0.1 whose answers a test scripts with `responder`.

    `failures` holds the traceback of every handler that raised; the fixture fails the test when
    any is left at teardown. `stop()` waits for requests still being answered.
    """

    url: str
    received: list[ReceivedRequest] = field(default_factory=list)
    responder: Responder = lambda _request: (200, {})
    failures: list[str] = field(default_factory=list)
    stop: Callable[[], None] = lambda: None


# The client closed its end before the answer was written (an SDK timeout does exactly that).
_CLIENT_HUNG_UP = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class _ScriptedHTTPServer(ThreadingHTTPServer):
    """Joins its request threads on close, and reports handler errors to the test, not stderr.

    socketserver prints any handler exception to stderr ("Exception occurred during processing of
    request ..."). With daemon threads nobody waited for them, so a handler still answering a
    client that had timed out printed that traceback in the middle of a later test.
    """

    daemon_threads = False
    block_on_close = True  # server_close() waits for every request thread

    def __init__(self, state: LocalServer) -> None:
        super().__init__(("127.0.0.1", 0), _handler_class(state))
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], _CLIENT_HUNG_UP):
            return  # nobody is left to answer; not a fault of the server or the test
        self.state.failures.append(traceback.format_exc())


def _handler_class(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = ReceivedRequest(
                self.command,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            server.received.append(request)
            status, body = server.responder(request)
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_DELETE(self) -> None:
            self._serve()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    state = LocalServer(url="")
    httpd = _ScriptedHTTPServer(state)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/api"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    stopped = threading.Lock()

    def stop() -> None:
        if stopped.acquire(blocking=False):  # once; the teardown calls it again
            httpd.shutdown()
            httpd.server_close()
            thread.join(timeout=5)

    state.stop = stop
    thread.start()
    try:
        yield state
    finally:
        stop()
    assert not state.failures, "the local server failed answering:\n" + "\n".join(state.failures)
