"""DynamoDB in a moto server of its own, in a child process: the platform's second core.

Every AWS call of an execution used to be answered by the one platform process, under one GIL,
while the machine's second core mostly idled; about two thirds of those calls, and of that
process's CPU, are DynamoDB's. A child process now runs a moto server that holds the DynamoDB
tables, with the same journaling front and the same DynamoDB tuning (`moto_responses`) as the main
one, so a confirmed write is as durable as before. Clients reach it directly: the Lambda workers
through `AWS_ENDPOINT_URL_DYNAMODB` (botocore's per-service endpoint), the platform's own code
through `LocalSession`; a DynamoDB request sent to the main endpoint (the AWS CLI without that
variable, awscurl) is forwarded to it (`ServiceRouter`).

The parent drives the child over a line protocol on the child's stdin and stdout (one JSON object
per line each way): `url`, `attach` (journal into a folder), `rotate`, `drop_before`, `size`,
`detach`, and `tuning` (on or off, for benchmarks). The child ends when its stdin closes (the
parent stopped it or died) and, on Linux, is sent SIGTERM by the kernel if the parent dies.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medialens.runtime.child_processes import end_with_parent

DYNAMODB_TARGET_PREFIX = "DynamoDB"  # X-Amz-Target of DynamoDB and DynamoDB Streams calls
TALLY_ENV = "MEDIALENS_TALLY_REQUESTS"  # set in the parent's environment: the child times its requests
# From launch to a listening server: moto's import takes 1-2 s, 10 s on a loaded 2-core machine.
START_TIMEOUT_SECONDS = 60.0


class ServiceProcessError(RuntimeError):
    """The child did not start, or answered a command with an error."""


class DynamoDBProcess:
    """The parent's handle on the child: its URL, and its journal's controls (as `Journal` has them)."""

    def __init__(self, host: str = "127.0.0.1", log_file: Path | None = None) -> None:
        self._host = host
        self._log_file = log_file
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self.url = ""

    def start(self) -> str:
        """Start the child and wait for its server; returns its URL."""
        self.launch()
        return self.wait_ready()

    def launch(self) -> None:
        """Start the child without waiting (moto's import takes a second or two)."""
        self._process = subprocess.Popen(
            self._argv(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=end_with_parent,
        )

    def _argv(self) -> list[str]:
        return [sys.executable, "-m", __name__, self._host, str(self._log_file or "")]

    def wait_ready(self, timeout: float | None = None) -> str:
        """The child's URL once its server listens.

        Raises ServiceProcessError if it exits first or is not listening after `timeout` seconds
        (START_TIMEOUT_SECONDS by default); it is killed then: a platform must not start without
        its tables.
        """
        try:
            wait = START_TIMEOUT_SECONDS if timeout is None else timeout
            self.url = str(self._command({"op": "url"}, timeout=wait)["url"])
        except ServiceProcessError:
            self._kill()
            raise
        return self.url

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def attach(self, folder: Path) -> None:
        self._command({"op": "attach", "folder": str(folder)})

    def detach(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._command({"op": "detach"})

    def rotate(self) -> int:
        return int(self._command({"op": "rotate"})["segment"])

    def drop_before(self, segment: int) -> None:
        self._command({"op": "drop_before", "segment": segment})

    def size(self) -> int:
        return int(self._command({"op": "size"})["size"])

    def tally(self) -> dict[str, Any]:
        """Requests served since the last tally, {action: [count, seconds]}, and the child's CPU
        seconds (`cpu`); started with `TALLY_ENV` set only (`bench/execution_anatomy.py`)."""
        return self._command({"op": "tally"})

    def set_tuning(self, on: bool) -> None:
        """Install or uninstall `moto_responses` in the child (benchmarks compare moto's stock paths)."""
        self._command({"op": "tuning", "on": on})

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            assert process.stdin is not None
            process.stdin.close()  # the child's loop ends, its journal closes, it exits
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=5)

    def _command(self, command: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        process = self._process
        if process is None or process.stdin is None or process.stdout is None:
            raise ServiceProcessError("the DynamoDB process is not running")
        with self._lock:
            try:
                process.stdin.write(json.dumps(command) + "\n")
                process.stdin.flush()
                # One answer line per command, so nothing is buffered ahead of it: select sees it.
                if timeout is not None and not select.select([process.stdout], [], [], timeout)[0]:
                    raise ServiceProcessError(
                        f"the DynamoDB process did not answer {command['op']!r} within {timeout:.0f} s"
                    )
                line = process.stdout.readline()
            except OSError as exc:
                raise ServiceProcessError(f"the DynamoDB process is gone: {exc}") from exc
        if not line:  # its stdout closed: it is exiting; its status comes a moment later
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
            raise ServiceProcessError(f"the DynamoDB process exited ({process.returncode})")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise ServiceProcessError(f"the DynamoDB process could not {command['op']}: {answer['error']}")
        return answer


class _Tally:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, list[float]] = {}

    def timed(self, app: Callable[..., Any]) -> Callable[..., Any]:
        def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            action = environ.get("HTTP_X_AMZ_TARGET", "?").rsplit(".", 1)[-1]
            started = time.perf_counter()
            try:
                return app(environ, start_response)
            finally:
                with self._lock:
                    seen = self._seen.setdefault(action, [0, 0.0])
                    seen[0] += 1
                    seen[1] += time.perf_counter() - started

        return call

    def take(self) -> dict[str, Any]:
        with self._lock:
            seen, self._seen = self._seen, {}
        return {"requests": seen, "cpu": time.process_time()}


def _serve(host: str, log_file: str) -> None:
    from medialens.durability.journal import Journal
    from medialens.runtime import moto_responses
    from medialens.runtime.log_routing import route_logs
    from medialens.runtime.moto_server import MotoServer

    if log_file:
        handler = route_logs(Path(log_file))  # the platform log, as the main server's records
        # A failed request's traceback too: this process's stderr is the terminal of `medialens up`.
        werkzeug_logger = logging.getLogger("werkzeug")
        werkzeug_logger.addHandler(handler)
        werkzeug_logger.propagate = False

    moto_responses.install()  # DynamoDB's write lock and transactions, as in the main server
    server = MotoServer(host)
    tally = _Tally()
    if os.environ.get(TALLY_ENV):
        server.wrap_app(tally.timed)
    server.start()
    journal: Journal | None = None
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing else may write on the protocol's channel
    for line in sys.stdin:
        command = json.loads(line)
        answer: dict[str, Any] = {}
        try:
            op = command["op"]
            if op == "url":
                answer["url"] = f"http://{host}:{server.port}"
            elif op == "tally":
                answer = tally.take()
            elif op == "tuning":
                (moto_responses.install if command["on"] else moto_responses.uninstall)()
            elif op == "attach":
                journal = Journal(Path(command["folder"]))
                server.front.attach(journal)
            elif op == "detach" and journal is not None:
                server.front.attach(None)
                journal.close()
                journal = None
            elif op in ("rotate", "size", "drop_before"):
                if journal is None:
                    raise ServiceProcessError("no journal attached")
                if op == "rotate":
                    answer["segment"] = journal.rotate()
                elif op == "size":
                    answer["size"] = journal.size()
                else:
                    journal.drop_before(int(command["segment"]))
        except Exception as exc:  # answered, so the parent raises it with the reason
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(answer) + "\n")
        out.flush()
    server.front.attach(None)
    if journal is not None:
        journal.close()
    server.stop()


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
