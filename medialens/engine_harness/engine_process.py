"""The engine command, started as the Engine Toolkit starts an engine: by the local runtime's own
launcher (`medialens.runtime.engine_processes`: a subprocess on a free port of 127.0.0.1 given in
`VERITONE_WEBHOOK_READY` / `VERITONE_WEBHOOK_PROCESS`, its process group ended at the end).

Here its output lines go to this process's stderr, prefixed `engine| `, rather than to the
platform log; the harness polls Ready itself (`operators.engine.client.wait_ready`, the toolkit's
policy) and, between polls, stops waiting as soon as the command has exited.
"""

from __future__ import annotations

import logging
import shlex
import sys
import time
from collections.abc import Callable

from medialens.engine_harness.errors import HarnessError
from medialens.runtime.engine_processes import EngineCommand, EngineState
from medialens.runtime.engine_processes import EngineProcess as HostedEngine
from operators.engine.client import EngineError

ENGINE_NAME = "harness"
OUTPUT_PREFIX = "engine| "


class EngineExitedError(EngineError):
    """The engine command ended before Ready answered 200."""


class _Forward(logging.Handler):
    def __init__(self, forward: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self._forward = forward

    def emit(self, record: logging.LogRecord) -> None:
        self._forward(record.getMessage())


class EngineProcess:
    """The engine command with the webhook variables set; a context manager that stops it."""

    def __init__(self, command: str, *, forward: Callable[[str], None] | None = None) -> None:
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise HarnessError(f"cannot parse --command {command!r}: {exc}") from None
        if not argv:
            raise HarnessError("--command is empty")
        self._engine = HostedEngine(EngineCommand(ENGINE_NAME, argv))
        self.ready_url, self.process_url = self._engine.ready_url, self._engine.process_url
        self._handler = _Forward(forward or _to_stderr)
        self._log = logging.getLogger(f"medialens.engine.{ENGINE_NAME}")

    def __enter__(self) -> EngineProcess:
        self._log.addHandler(self._handler)
        self._log.setLevel(logging.INFO)
        try:
            self._engine.start()
        except OSError as exc:
            self._log.removeHandler(self._handler)
            raise HarnessError(f"cannot start the engine command: {exc.strerror or exc}") from None
        return self

    def __exit__(self, *_: object) -> None:
        try:
            self._engine.stop()
        finally:
            self._log.removeHandler(self._handler)

    def checked_sleep(self, seconds: float) -> None:
        """Sleep between Ready polls; EngineExitedError when the engine has ended meanwhile."""
        deadline = time.monotonic() + seconds
        while True:
            if self._engine.state is EngineState.EXITED:
                detail = self._engine.detail
                raise EngineExitedError(f"the engine command exited{detail} before Ready answered 200")
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(0.1, left))


def _to_stderr(line: str) -> None:
    print(f"{OUTPUT_PREFIX}{line}", file=sys.stderr, flush=True)
