"""Engines as the Engine Toolkit runs them: a subprocess each, its output forwarded, Ready polled.

The toolkit starts the engine executable as a subprocess, proxies its stdout and stderr, and
polls `VERITONE_WEBHOOK_READY` every second until it answers 200 (a 500 means the engine is
broken; no 200 within a minute, not ready). The local runtime does the same for each engine a
deployment hosts: on 127.0.0.1, on a free port passed in those two variables, each line of output
logged as `medialens.engine.<name>` in the platform log. Stopping ends the engine's whole process
group (an engine may run ffmpeg of its own).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import requests

from medialens.runtime.child_processes import end_with_parent
from medialens.runtime.ports import free_port

READY_POLL_SECONDS = 0.5  # the toolkit polls every second; locally a start-up is worth halving
READY_TIMEOUT_SECONDS = 120.0
STOP_GRACE_SECONDS = 5.0
OUTPUT_LINES_KEPT = 20
HOST = "127.0.0.1"


@dataclass(frozen=True)
class EngineCommand:
    """An engine to host: its name (a word), the command that starts it, extra environment."""

    name: str
    argv: Sequence[str]
    environment: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None


class EngineState(StrEnum):
    STARTING = "starting"
    READY = "ready"
    BROKEN = "broken"  # Ready answered 500
    EXITED = "exited"  # the process ended
    NOT_READY = "not ready"  # no 200 within the timeout


class EngineProcess:
    """One hosted engine: `start()`, `state`, `ready_url` / `process_url`, `stop()`."""

    def __init__(self, command: EngineCommand, ready_timeout: float = READY_TIMEOUT_SECONDS) -> None:
        self.command = command
        self.port = free_port(HOST)
        self.base_url = f"http://{HOST}:{self.port}"
        self.ready_url = f"{self.base_url}/ready"
        self.process_url = f"{self.base_url}/process"
        self.state = EngineState.STARTING
        self.detail = ""
        self.ready_seconds: float | None = None
        self._ready_timeout = ready_timeout
        self._settled = threading.Event()
        self._stopping = threading.Event()
        self._output: deque[str] = deque(maxlen=OUTPUT_LINES_KEPT)
        self._process: subprocess.Popen[bytes] | None = None
        self._log = logging.getLogger(f"medialens.engine.{command.name}")

    def start(self) -> None:
        environment = {
            **os.environ,
            **self.command.environment,
            "VERITONE_WEBHOOK_READY": self.ready_url,
            "VERITONE_WEBHOOK_PROCESS": self.process_url,
            "PYTHONUNBUFFERED": "1",
        }
        self._started_at = time.monotonic()
        self._process = subprocess.Popen(
            list(self.command.argv),
            env=environment,
            cwd=self.command.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, ended whole by stop()
            preexec_fn=end_with_parent,
        )
        name = f"engine-{self.command.name}"
        threading.Thread(target=self._forward_output, name=f"{name}-output", daemon=True).start()
        threading.Thread(target=self._poll_ready, name=f"{name}-ready", daemon=True).start()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def wait_settled(self, timeout: float) -> EngineState:
        """Wait until the engine is ready, broken, exited or past its Ready timeout."""
        self._settled.wait(timeout)
        return self.state

    def describe(self) -> str:
        """One line: `faces on http://127.0.0.1:PORT: ready in 1.4 s` (or why it is not)."""
        if self.state is EngineState.READY:
            return f"{self.command.name} on {self.base_url}: ready in {self.ready_seconds:.1f} s"
        return f"{self.command.name} on {self.base_url}: {self.state.value}{self.detail}"

    def stop(self) -> None:
        self._stopping.set()
        process = self._process
        if process is None or process.poll() is not None:
            return
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait(STOP_GRACE_SECONDS)

    def _forward_output(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for raw in self._process.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                self._output.append(line)
                self._log.info("%s", line)
        code = self._process.wait()
        if not self._stopping.is_set():
            self._log.warning("engine exited with code %s", code)

    def _poll_ready(self) -> None:
        assert self._process is not None
        deadline = self._started_at + self._ready_timeout
        while not self._stopping.is_set():
            code = self._process.poll()
            if code is not None:
                last = f"; last output: {self._output[-1]}" if self._output else ""
                self._settle(EngineState.EXITED, f" (exit code {code}{last})")
                return
            try:
                answer = requests.get(self.ready_url, timeout=2)
            except requests.RequestException:
                answer = None
            if answer is not None and answer.status_code == 200:
                self.ready_seconds = time.monotonic() - self._started_at
                self._settle(EngineState.READY, "")
                return
            if answer is not None and answer.status_code == 500:
                self._settle(EngineState.BROKEN, f" (Ready answered 500: {answer.text[:200]})")
                return
            if time.monotonic() >= deadline:
                waited = f" (no 200 from Ready within {self._ready_timeout:.0f} s)"
                self._settle(EngineState.NOT_READY, waited)
                return
            time.sleep(READY_POLL_SECONDS)

    def _settle(self, state: EngineState, detail: str) -> None:
        self.state, self.detail = state, detail
        if state is not EngineState.READY:
            self._log.warning("engine %s%s", state.value, detail)
        self._settled.set()


class EngineSupervisor:
    """Every engine of a deployment, started at once so their models load side by side."""

    def __init__(
        self, commands: Sequence[EngineCommand], ready_timeout: float = READY_TIMEOUT_SECONDS
    ) -> None:
        self.engines = [EngineProcess(command, ready_timeout) for command in commands]

    def start(self) -> None:
        for engine in self.engines:
            engine.start()

    def urls(self) -> dict[str, str]:
        """Engine name -> base URL (`/ready` and `/process` below it)."""
        return {engine.command.name: engine.base_url for engine in self.engines}

    def wait_settled(self, timeout: float) -> list[EngineProcess]:
        deadline = time.monotonic() + timeout
        for engine in self.engines:
            engine.wait_settled(max(0.0, deadline - time.monotonic()))
        return self.engines

    def stop(self) -> None:
        for engine in self.engines:
            engine.stop()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)
