"""The engine's side of a stream or batch task: heartbeats every second and results as they come.

Seed 000, "Heartbeat webhook" and "Result webhook": a heartbeat is a JSON POST
`{status: running|complete|failed, bytesRead, bytesWritten, messagesWritten, infoMsg,
failureReason, failureMsg}` (the documents' `infoMs` is a typo; engines send `infoMsg`), suggested
once a second; a result is `{chunkContext, startOffsetMs, endOffsetMs, output}` with `output` a
VTN document. The toolkit answers both with 204.

`TaskReporter.run(work)` sends a `running` heartbeat at once and then every second from its own
thread while `work(reporter)` runs, then one final `complete`, or `failed` with the reason of the
`EngineFailure` the work raised (any other exception is an `internal_error`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import requests

LOG = logging.getLogger("engines.task")
HEARTBEAT_SECONDS = 1.0
WEBHOOK_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_TTL_SECONDS = 3600


class HeartbeatStatus(StrEnum):
    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"


class FailureReason(StrEnum):
    """The toolkit's `failureReason` values (seed 000, "Heartbeat webhook")."""

    INTERNAL_ERROR = "internal_error"
    EXTERNAL_ERROR = "external_error"
    UNKNOWN = "unknown"
    URL_NOT_FOUND = "url_not_found"
    URL_NOT_ALLOWED = "url_not_allowed"
    URL_TIMEOUT = "url_timeout"
    URL_CONNECTION_REFUSED = "url_connection_refused"
    URL_ERROR = "url_error"
    INVALID_DATA = "invalid_data"
    RATE_LIMITED = "rate_limited"
    API_NOT_ALLOWED = "api_not_allowed"
    API_AUTHENTICATION_ERROR = "api_authentication_error"
    API_NOT_FOUND = "api_not_found"
    API_ERROR = "api_error"
    FILE_WRITE_ERROR = "file_write_error"
    STREAM_READ_ERROR = "stream_read_error"
    SYSTEM_DEPENDENCY_MISSING = "system_dependency_missing"
    SYSTEM_ERROR = "system_error"
    HEARTBEAT_TIMEOUT = "heartbeat_timeout"
    OTHER = "other"


class EngineFailure(Exception):  # noqa: N818 - the toolkit's word: a task ends "failed"
    """Ends a task with a `failed` heartbeat carrying `reason` and the message as `failureMsg`."""

    def __init__(self, reason: FailureReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class TaskReporter:
    """Counters and webhooks of one task. Thread-safe: the heartbeat thread reads what work writes."""

    def __init__(
        self,
        heartbeat_url: str,
        result_url: str,
        *,
        chunk_context: str | None = None,
        max_ttl_seconds: int | None = None,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.heartbeat_url = heartbeat_url
        self.result_url = result_url
        self.chunk_context = chunk_context
        self.deadline = time.monotonic() + (max_ttl_seconds or DEFAULT_MAX_TTL_SECONDS)
        self.heartbeat_seconds = heartbeat_seconds
        self.bytes_read = 0
        self.bytes_written = 0
        self.messages_written = 0
        self.info = "started"
        self._lock = threading.Lock()
        self._done = threading.Event()

    def progress(self, *, bytes_read: int = 0, info: str | None = None) -> None:
        """Counts input read and sets the info message; past maxTTL the work must stop (raises)."""
        with self._lock:
            self.bytes_read += bytes_read
            if info is not None:
                self.info = info
        if time.monotonic() > self.deadline:
            raise EngineFailure(FailureReason.OTHER, "past maxTTL: the task took longer than allowed")

    def result(self, output: dict[str, Any], start_ms: int, end_ms: int) -> None:
        """Posts one result (a VTN document for `[start_ms, end_ms]`). Raises `EngineFailure`
        (`api_error`) when the webhook does not take it: the result would be lost."""
        body: dict[str, Any] = {"startOffsetMs": start_ms, "endOffsetMs": end_ms, "output": output}
        if self.chunk_context is not None:
            body["chunkContext"] = self.chunk_context
        raw = json.dumps(body).encode()
        status = self._post("result", self.result_url, raw)
        if status is None or not 200 <= status < 300:
            raise EngineFailure(FailureReason.API_ERROR, f"the result webhook answered {status}")
        with self._lock:
            self.bytes_written += len(raw)
            self.messages_written += 1

    def run(self, work: Callable[[TaskReporter], None]) -> None:
        """Runs `work` with heartbeats every second, then posts the final heartbeat."""
        beats = threading.Thread(target=self._beat, name="engine-heartbeat", daemon=True)
        beats.start()
        final: dict[str, Any] = {"status": HeartbeatStatus.COMPLETE.value}
        try:
            work(self)
        except EngineFailure as failure:
            final = self._failed(failure.reason, str(failure))
        except Exception as exc:  # an engine bug: reported, never left "running"
            LOG.exception("task failed")
            final = self._failed(FailureReason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")
        finally:
            self._done.set()
            beats.join(timeout=WEBHOOK_TIMEOUT_SECONDS + 1)
        if final["status"] == HeartbeatStatus.COMPLETE:
            final["infoMsg"] = f"complete: {self.messages_written} results"
        self._post("heartbeat", self.heartbeat_url, json.dumps({**self._counters(), **final}).encode())

    def _failed(self, reason: FailureReason, message: str) -> dict[str, Any]:
        LOG.warning("task failed: %s: %s", reason.value, message)
        return {"status": HeartbeatStatus.FAILED.value, "failureReason": reason.value, "failureMsg": message}

    def _counters(self) -> dict[str, Any]:
        with self._lock:
            return {
                "bytesRead": self.bytes_read,
                "bytesWritten": self.bytes_written,
                "messagesWritten": self.messages_written,
                "infoMsg": self.info,
            }

    def _beat(self) -> None:
        while True:  # bounded: ends with the work, which ends by maxTTL at the latest
            running = {"status": HeartbeatStatus.RUNNING.value, **self._counters()}
            self._post("heartbeat", self.heartbeat_url, json.dumps(running).encode())
            if self._done.wait(self.heartbeat_seconds):
                return

    def _post(self, webhook: str, url: str, body: bytes) -> int | None:
        # The URLs carry the task's secret: they are never logged.
        try:
            answer = requests.post(
                url, data=body, headers={"Content-Type": "application/json"}, timeout=WEBHOOK_TIMEOUT_SECONDS
            )
        except requests.RequestException as exc:
            LOG.warning("%s webhook unreachable: %s", webhook, exc)
            return None
        if not 200 <= answer.status_code < 300:
            LOG.warning("%s webhook answered %s: %s", webhook, answer.status_code, answer.text[:200])
        return answer.status_code
