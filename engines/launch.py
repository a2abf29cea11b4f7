"""Starting a sample engine the Engine Toolkit's way: a subprocess on 127.0.0.1, then Ready polled.

`launched(entry)` runs `python -m <module> --port 0`, reads the line the engine prints once it
listens (`<name> engine listening on http://127.0.0.1:<port>`), polls `GET /ready` every 0.1 s
(503 or no answer = loading; 200 = ready; 500 = broken), and stops the engine (SIGTERM by its pid, then
SIGKILL) when the block ends.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import requests

from engines.catalog import SampleEngine

START_SECONDS = 60.0
POLL_SECONDS = 0.1
LISTENING = " engine listening on "


class EngineStartError(RuntimeError):
    """The engine exited, printed no listening line, or never answered Ready with 200."""


@dataclass(frozen=True)
class LaunchedEngine:
    entry: SampleEngine
    process: subprocess.Popen[bytes]
    base_url: str
    ready_polls: tuple[int, ...]

    @property
    def process_url(self) -> str:
        return f"{self.base_url}/process"

    @property
    def ready_url(self) -> str:
        return f"{self.base_url}/ready"


def listening_url(process: subprocess.Popen[bytes], timeout: float = START_SECONDS) -> str:
    """The base URL from the engine's first line of output; raises `EngineStartError`."""
    assert process.stdout is not None, "start the engine with stdout=PIPE"
    readable, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline().decode(errors="replace") if readable else ""
    if LISTENING not in line:
        raise EngineStartError(f"the engine printed no listening line within {timeout} s: {line!r}")
    return line.rsplit(LISTENING, 1)[1].strip()


def wait_ready(ready_url: str, timeout: float = START_SECONDS, process: Any = None) -> tuple[int, ...]:
    """Polls Ready until 200; answers every status seen. 500, an exited process or the timeout
    raise `EngineStartError`."""
    statuses: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise EngineStartError(f"the engine exited with {process.returncode} before it was ready")
        try:
            statuses.append(requests.get(ready_url, timeout=5).status_code)
        except requests.RequestException:  # no answer yet (a model loading may hold the interpreter)
            statuses.append(0)
        if statuses[-1] == 200:
            return tuple(statuses)
        if statuses[-1] == 500:
            raise EngineStartError(f"the engine is broken: {ready_url} answered 500")
        time.sleep(POLL_SECONDS)
    raise EngineStartError(f"not ready after {timeout} s ({len(statuses)} polls, last {statuses[-1:]})")


@contextmanager
def launched(
    entry: SampleEngine,
    *,
    stderr: IO[bytes] | int | None = None,
    env: dict[str, str] | None = None,
    timeout: float = START_SECONDS,
) -> Iterator[LaunchedEngine]:
    """The engine running and ready on a free port of 127.0.0.1, for the time of the block."""
    process = subprocess.Popen(
        entry.command(port=0), stdout=subprocess.PIPE, stderr=stderr, env={**os.environ, **(env or {})}
    )
    try:
        base_url = listening_url(process, timeout)
        polls = wait_ready(f"{base_url}/ready", timeout, process)
        yield LaunchedEngine(entry, process, base_url, polls)
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes], grace_seconds: float = 10.0) -> int:
    """SIGTERM (the engine closes cleanly), SIGKILL after `grace_seconds`; answers the exit code."""
    process.terminate()
    try:
        code = process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait(timeout=grace_seconds)
    if process.stdout is not None:
        process.stdout.close()
    return code
