"""Starting an engine command as the Engine Toolkit does, and stopping it.

The toolkit is its container's entry point: it starts the engine as a subprocess with
`VERITONE_WEBHOOK_READY` and `VERITONE_WEBHOOK_PROCESS` in its environment, forwards its output
and waits for Ready (`engine/engine.go`; ENGINES.md 1.1). Here the URLs are
`http://127.0.0.1:<free port>/ready` and `/process`; the engine's output lines are forwarded to
this process's stderr, prefixed `engine| `, and the last ones are kept for a failure's reason.
"""

from __future__ import annotations

import collections
import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO

from medialens.engine_harness.errors import HarnessError
from operators.engine.client import EngineError

STOP_WAIT_SECONDS = 5.0
KEPT_LINES = 20
READY_ENV = "VERITONE_WEBHOOK_READY"
PROCESS_ENV = "VERITONE_WEBHOOK_PROCESS"


class EngineExitedError(EngineError):
    """The engine command ended before Ready answered 200."""


def free_port() -> int:
    """A port nothing listens on at this moment, on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EngineProcess:
    """The engine command, running with the webhook variables set; a context manager that stops it."""

    def __init__(self, command: str, *, forward: Callable[[str], None] | None = None) -> None:
        try:
            self.argv = shlex.split(command)
        except ValueError as exc:
            raise HarnessError(f"cannot parse --command {command!r}: {exc}") from None
        if not self.argv:
            raise HarnessError("--command is empty")
        port = free_port()
        self.ready_url = f"http://127.0.0.1:{port}/ready"
        self.process_url = f"http://127.0.0.1:{port}/process"
        self._forward = forward or _to_stderr
        self._lines: collections.deque[str] = collections.deque(maxlen=KEPT_LINES)
        self._popen: subprocess.Popen[bytes] | None = None
        self._readers: list[threading.Thread] = []

    def __enter__(self) -> EngineProcess:
        env = {**os.environ, READY_ENV: self.ready_url, PROCESS_ENV: self.process_url}
        try:
            self._popen = subprocess.Popen(
                self.argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group: stopping it stops its children
            )
        except OSError as exc:
            raise HarnessError(f"cannot start the engine command {self.argv[0]!r}: {exc.strerror}") from None
        for stream in (self._popen.stdout, self._popen.stderr):
            assert stream is not None
            reader = threading.Thread(target=self._pump, args=(stream,), name="engine-output", daemon=True)
            reader.start()
            self._readers.append(reader)
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def exit_code(self) -> int | None:
        return None if self._popen is None else self._popen.poll()

    def last_output(self) -> str:
        return self._lines[-1] if self._lines else ""

    def checked_sleep(self, seconds: float) -> None:
        """Sleep between Ready polls; EngineExitedError when the engine has ended meanwhile."""
        deadline = time.monotonic() + seconds
        while True:
            code = self.exit_code
            if code is not None:
                last = self.last_output()
                raise EngineExitedError(
                    f"the engine command exited with code {code} before Ready answered 200"
                    + (f" (last output: {last})" if last else "")
                )
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(0.1, left))

    def stop(self) -> None:
        """SIGTERM to the engine's process group, SIGKILL after 5 s; its output read to the end."""
        popen = self._popen
        if popen is None:
            return
        if popen.poll() is None:
            _signal_group(popen.pid, signal.SIGTERM)
            try:
                popen.wait(timeout=STOP_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                _signal_group(popen.pid, signal.SIGKILL)
                popen.wait(timeout=STOP_WAIT_SECONDS)
        for reader in self._readers:
            reader.join(timeout=STOP_WAIT_SECONDS)
        self._popen = None

    def _pump(self, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip()
            self._lines.append(line)
            self._forward(line)
        stream.close()


def _signal_group(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)


def _to_stderr(line: str) -> None:
    print(f"engine| {line}", file=sys.stderr, flush=True)
