"""A pool of warm worker processes that run Lambda handlers the way the Lambda Python runtime does.

Each worker is `python -m medialens.runtime.worker_main` with the function's environment; it imports
the handler once and then serves invocations over a private pipe pair. A worker that times out is
killed, one that dies is reaped, and either is replaced by a fresh one at the next call.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from medialens.runtime.function_env import function_env
from medialens.runtime.function_logs import ACCOUNT_ID, FunctionLogs, forward_output
from medialens.runtime.functions import FunctionSpec
from medialens.runtime.protocol import (
    FDS_ENV,
    FrameEOFError,
    FrameTimeoutError,
    read_frame,
    write_frame,
)

LOG = logging.getLogger(__name__)
INIT_TIMEOUT_SECONDS = 30.0  # importing boto3 and a handler can take a while on a busy machine
CLOSE_GRACE_SECONDS = 2.0  # for all workers at once to exit on EOF, before the rest are killed
__all__ = ["ACCOUNT_ID", "InvokeResult", "UnknownFunctionError", "WorkerPool"]


@dataclass(frozen=True)
class InvokeResult:
    payload: bytes
    function_error: str | None
    log_tail: str


class UnknownFunctionError(LookupError):
    """The pool has no function of that name."""


def _error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


class _Worker:
    """One worker process and its pipes; used by one caller at a time."""

    def __init__(self, spec: FunctionSpec, env: Mapping[str, str], logs: FunctionLogs | None) -> None:
        self.spec = spec
        self.log_stream = logs.open_stream(spec.name, spec.version) if logs is not None else None
        if self.log_stream is not None:
            env = {**env, "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream.name}
        req_read, self._req_write = os.pipe()
        self._resp_read, resp_write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "medialens.runtime.worker_main"],
                env={**env, FDS_ENV: f"{req_read},{resp_write}"},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(req_read, resp_write),
                cwd=env.get("LAMBDA_TASK_ROOT"),  # as on Lambda; `-m` also puts the cwd on sys.path
                start_new_session=True,  # Ctrl-C goes to the platform, which stops workers in order
            )
        finally:
            os.close(req_read)
            os.close(resp_write)
        self.ready = False
        self.healthy = True
        logger = logging.getLogger(f"medialens.lambda.{spec.name}")
        assert self.process.stdout is not None
        threading.Thread(
            target=forward_output, args=(self.process.stdout, logger, self.log_stream), daemon=True
        ).start()

    def wait_ready(self) -> InvokeResult | None:
        """None when the handler imported; otherwise the init error, as Lambda reports it."""
        try:
            frame = read_frame(self._resp_read, time.monotonic() + INIT_TIMEOUT_SECONDS)
        except FrameTimeoutError:
            self.kill()
            message = f"Init timed out after {INIT_TIMEOUT_SECONDS:.2f} seconds"
            return InvokeResult(_error_payload("Sandbox.Timedout", message), "Unhandled", "")
        except FrameEOFError:
            return InvokeResult(self._exit_error(str(uuid.uuid4())), "Unhandled", "")
        if frame.get("ready"):
            self.ready = True
            return None
        self.kill()
        return InvokeResult(json.dumps(frame["error"]).encode(), "Unhandled", str(frame.get("log", "")))

    def invoke(self, payload: bytes) -> InvokeResult:
        request_id = str(uuid.uuid4())
        timeout = self.spec.timeout_seconds
        deadline_ms = int(time.time() * 1000 + timeout * 1000)
        request = {"request_id": request_id, "deadline_ms": deadline_ms, "event": payload.decode("utf-8")}
        try:
            write_frame(self._req_write, request)
            frame = read_frame(self._resp_read, time.monotonic() + timeout)
        except FrameTimeoutError:
            self.kill()
            stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            message = f"{stamp} {request_id} Task timed out after {timeout:.2f} seconds"
            self._log_ending(request_id, message, timeout)
            return InvokeResult(_error_payload("Sandbox.Timedout", message), "Unhandled", "")
        except (FrameEOFError, BrokenPipeError):
            return InvokeResult(self._exit_error(request_id), "Unhandled", "")
        error = frame.get("function_error")
        return InvokeResult(str(frame["payload"]).encode(), error, str(frame.get("log", "")))

    def _log_ending(self, request_id: str, message: str, timeout: float) -> None:
        # The worker was killed mid-invocation: write what Lambda's own log lines would say.
        if self.log_stream is None:
            return
        self.log_stream.write(f"END RequestId: {request_id}")
        duration = f"Duration: {timeout * 1000:.2f} ms"
        self.log_stream.write(f"REPORT RequestId: {request_id}\t{duration}\tStatus: timeout")
        self.log_stream.write(message)

    def _exit_error(self, request_id: str) -> bytes:
        self.healthy = False
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.process.returncode
        if code is not None and code < 0:
            reason = f"signal: {signal.strsignal(-code) or -code}".lower()
        else:
            reason = f"exit status {code}"
        message = f"RequestId: {request_id} Error: Runtime exited with error: {reason}"
        return _error_payload("Runtime.ExitError", message)

    def close(self, grace: float = 1.0) -> None:
        """Close the request pipe (the worker exits on EOF), then kill it if it lingers."""
        self.begin_close()
        self.end_close(time.monotonic() + grace)

    def begin_close(self) -> None:
        """Close the request pipe: the worker exits on EOF (`end_close` waits for it)."""
        self.healthy = False
        with contextlib.suppress(OSError):
            os.close(self._req_write)

    def end_close(self, deadline: float) -> None:
        """Wait for the exit until `deadline` (time.monotonic), kill the worker if it lingers."""
        try:
            self.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.kill()
        with contextlib.suppress(OSError):
            os.close(self._resp_read)

    def kill(self) -> None:
        self.healthy = False
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


class _Function:
    """The workers of one function, and the semaphore that caps its concurrency.

    A caller finding no idle worker starts one in the background and takes the first worker free:
    in a burst, a call need not wait for a process start (most of a second on a busy machine)
    when a warm worker frees up in milliseconds; the new one stays warm for the next call."""

    def __init__(
        self, spec: FunctionSpec, env: dict[str, str], max_workers: int, logs: FunctionLogs | None
    ) -> None:
        self.spec = spec
        self.env = env
        self.logs = logs
        self.retired = False
        self.max_workers = max_workers
        self.slots = threading.BoundedSemaphore(max_workers)
        self.lock = threading.Lock()
        self._changed = threading.Condition(self.lock)
        self.idle: list[_Worker] = []
        self.live: set[_Worker] = set()
        self._starting = 0  # workers being started in the background
        self._waiting = 0  # callers waiting for a worker
        self._failures: list[InvokeResult] = []  # init failures for the callers waiting

    def spawn(self) -> _Worker:
        worker = _Worker(self.spec, self.env, self.logs)
        with self.lock:
            self.live.add(worker)
        return worker

    def _take_idle(self) -> _Worker | None:
        while self.idle:
            worker = self.idle.pop()
            if worker.process.poll() is None:
                return worker
            self.live.discard(worker)
        return None

    def acquire(self) -> _Worker | InvokeResult:
        """The first worker free (starting one if there is room), or the init failure of the one started."""
        with self._changed:
            self._waiting += 1
            try:
                while True:
                    worker = self._take_idle()
                    if worker is not None:
                        return worker
                    if self._failures:
                        return self._failures.pop()
                    if len(self.live) + self._starting < self.max_workers:
                        self._starting += 1
                        starter = threading.Thread(target=self._start_one, name="lambda-start", daemon=True)
                        starter.start()
                    self._changed.wait()
            finally:
                self._waiting -= 1

    def _start_one(self) -> None:
        worker = _Worker(self.spec, self.env, self.logs)
        failure = worker.wait_ready()
        with self._changed:
            self._starting -= 1
            kept = failure is None and (self._waiting > 0 or not self.retired)
            if kept:
                self.live.add(worker)
                self.idle.append(worker)
            elif failure is not None and self._waiting:
                self._failures.append(failure)  # an init error is the waiting caller's answer
            self._changed.notify()
        if not kept:
            worker.close(grace=0)

    def give_back(self, worker: _Worker) -> None:
        with self._changed:
            if not self.retired and worker.healthy and worker.process.poll() is None:
                self.idle.append(worker)
                self._changed.notify()
                return
            self.live.discard(worker)
            leftover: list[_Worker] = []
            if self.retired and not self._waiting:  # a worker started for a caller served meanwhile
                leftover, self.idle = self.idle, []
                self.live.difference_update(leftover)
            self._changed.notify()
        for stopped in [worker, *leftover]:
            stopped.close(grace=0)

    def retire(self) -> None:
        """No new invocations reach these workers: idle ones stop now, busy ones when they finish."""
        with self.lock:
            self.retired = True
            idle, self.idle = self.idle, []
            self.live.difference_update(idle)
        for worker in idle:
            worker.close(grace=0)


class WorkerPool:
    """Runs Lambda handlers in warm subprocesses; thread-safe."""

    def __init__(
        self,
        specs: Sequence[FunctionSpec],
        *,
        code_paths: Sequence[Path],
        base_env: Mapping[str, str],
        max_workers_per_function: int = 4,
        logs: FunctionLogs | None = None,
    ) -> None:
        self._closed = False
        self._code_paths = list(code_paths)
        self._base_env = dict(base_env)
        self._max_workers = max_workers_per_function
        self._logs = logs
        self._functions: dict[str, _Function] = {}
        self._retired: list[_Function] = []  # closed with the pool if a call still holds a worker
        for spec in specs:
            self.define(spec.name, spec)

    def define(self, key: str, spec: FunctionSpec) -> None:
        """Run `spec` under `key` from now on; workers of an earlier definition are retired."""
        env = function_env(spec, self._code_paths, self._base_env)
        previous = self._functions.get(key)
        cap = spec.reserved_concurrency or self._max_workers
        self._functions[key] = _Function(spec, env, cap, self._logs)
        if previous is not None:
            self._retire(previous)

    def remove(self, key: str) -> None:
        """Forget `key` (a deleted function); its workers are retired."""
        previous = self._functions.pop(key, None)
        if previous is not None:
            self._retire(previous)

    def _retire(self, function: _Function) -> None:
        function.retire()
        self._retired = [fn for fn in self._retired if fn.live]
        self._retired.append(function)

    @property
    def function_names(self) -> frozenset[str]:
        return frozenset(self._functions)

    def warm(self) -> dict[str, InvokeResult]:
        """Start one worker per function that has none and is `warm_at_start`, in parallel;
        returns the init failures. The others start at their first invocation."""
        to_start = [fn for fn in self._functions.values() if fn.spec.warm_at_start and not fn.live]
        started = [(fn, fn.spawn()) for fn in to_start]
        failures: dict[str, InvokeResult] = {}
        for fn, worker in started:
            failure = worker.wait_ready()
            if failure is not None:
                failures[fn.spec.name] = failure
            fn.give_back(worker)
        return failures

    def invoke(self, function_name: str, payload: bytes) -> InvokeResult:
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        try:
            fn = self._functions[function_name]
        except KeyError:
            raise UnknownFunctionError(function_name) from None
        with fn.slots:  # callers beyond max_workers_per_function wait here
            worker = fn.acquire()
            if isinstance(worker, InvokeResult):
                return worker  # the function's init failed, as Lambda reports it
            try:
                return worker.invoke(payload)
            finally:
                fn.give_back(worker)

    def close(self) -> None:
        self._closed = True
        closing: list[_Worker] = []
        for fn in [*self._functions.values(), *self._retired]:
            with fn.lock:
                fn.retired = True  # a worker still starting in the background stops once ready
                workers, fn.idle, fn.live = list(fn.live), [], set()
            closing.extend(workers)
        # All told first, then all waited for: each takes ~75 ms to exit, and there are dozens.
        for worker in closing:
            worker.begin_close()
        deadline = time.monotonic() + CLOSE_GRACE_SECONDS
        for worker in closing:
            worker.end_close(deadline)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
