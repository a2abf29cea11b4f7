"""Talking to an engine's webhooks as the Engine Toolkit does: Ready polling and `/process` calls.

Toolkit semantics kept (`engine/engine.go`, `engine/processing/webhooks.go`; ENGINES.md sections 1.2 to 1.4):
Ready is polled every second until `200` (503 or no answer = not yet); `500` means the engine is
broken. A `/process` answer of `200` with a body is the chunk's result, `204` or an empty `200` means
the chunk is ignored, anything else (4xx included), a transport error or a timeout is retried
(3 attempts, 100 ms then 200 ms by default) and then fails as `"<status>: <body>"`.

Not copied: the toolkit's webhook client has no timeout; here every call has one, and an answer
larger than the configured limit fails at once (a retry would download it again).

Errors (what the operator reports):

    EngineError
    ├── EngineNotReadyError   Ready never answered 200 within the limit
    └── EngineBrokenError     Ready answered 500
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import requests

from api.engines.models import RetryPolicy

USER_AGENT = "medialens-engine-operator"
READY_POLL_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 5.0
ERROR_BODY_CHARS = 500


class EngineError(Exception):
    """The engine cannot be used; the message is the operator's reason."""


class EngineNotReadyError(EngineError):
    pass


class EngineBrokenError(EngineError):
    pass


class ResponseTooLargeError(Exception):
    pass


class _StatusError(Exception):
    """An answer that is not a result: retried; its message is the toolkit's `"<status>: <body>"`."""


def wait_ready(
    url: str,
    limit_seconds: float,
    *,
    poll_seconds: float = READY_POLL_SECONDS,
    session: requests.Session | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """GET `url` until 200; returns the number of polls. Raises EngineBrokenError / EngineNotReadyError."""
    http = session or requests.Session()
    deadline = clock() + limit_seconds
    polls = 0
    last = "no answer"
    while True:
        polls += 1
        remaining = deadline - clock()
        try:
            answer = http.get(
                url,
                timeout=(CONNECT_TIMEOUT_SECONDS, max(0.5, min(5.0, remaining))),
                headers={"User-Agent": USER_AGENT},
            )
            if answer.status_code == 200:
                return polls
            if answer.status_code == 500:
                raise EngineBrokenError(f"engine is broken: Ready answered 500: {_snippet(answer.text)}")
            last = f"{answer.status_code}: {_snippet(answer.text)}"
        except requests.RequestException as exc:
            last = f"{type(exc).__name__}"
        if clock() + poll_seconds > deadline:
            raise EngineNotReadyError(
                f"engine not ready after {limit_seconds:g} s ({polls} polls of {url}; last: {last})"
            )
        sleep(poll_seconds)


class Outcome(StrEnum):
    """A chunk's end, with the toolkit's ChunkResult names."""

    SUCCESS = "SUCCESS"  # 200 with JSON: the engine's VTN output
    MEDIA = "MEDIA"  # 200 with another content type: stored as a media object
    IGNORED = "IGNORED"  # 204, or 200 with an empty body
    ACCEPTED = "ACCEPTED"  # {"estimatedProcessingTimeInSeconds": n}: the result comes later
    ERROR = "ERROR"
    DEFERRED = "DEFERRED"  # the caller's deadline came first: not an answer, send the chunk again later


@dataclass
class Reply:
    outcome: Outcome
    attempts: int
    output: Any = None
    body: bytes = b""
    content_type: str = ""
    error: str = ""
    statuses: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CallLimits:
    timeout_seconds: float
    max_response_bytes: int
    retry: RetryPolicy


def post_chunk(
    url: str,
    fields: Mapping[str, str],
    chunk: tuple[str, bytes, str] | None,
    limits: CallLimits,
    *,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
    deadline: float | None = None,
) -> Reply:
    """POST the multipart form (`chunk` = (file name, bytes, MIME type) or None), retried per policy.

    `deadline` (a `time.monotonic()` value, e.g. the end of the Lambda invocation) caps every
    attempt; when it cuts an attempt short, or leaves no time for the next, the reply is
    `DEFERRED`: no verdict on the engine, the chunk is to be sent again by a later call.
    """
    http = session or requests.Session()
    statuses: list[str] = []
    attempts = limits.retry.MaxAttempts
    error = ""
    for attempt in range(1, attempts + 1):
        attempt_limits = limits
        if deadline is not None:
            left = deadline - time.monotonic()
            if left < 1:
                return Reply(Outcome.DEFERRED, attempt - 1, statuses=statuses)
            if left < limits.timeout_seconds:
                attempt_limits = CallLimits(left, limits.max_response_bytes, limits.retry)
        try:
            reply = _post_once(http, url, fields, chunk, attempt_limits)
        except ResponseTooLargeError as exc:
            statuses.append("too large")
            return Reply(Outcome.ERROR, attempt, error=str(exc), statuses=statuses)
        except _StatusError as exc:
            error = str(exc)
        except requests.Timeout:
            if attempt_limits is not limits:
                return Reply(Outcome.DEFERRED, attempt - 1, statuses=statuses)
            error = f"timeout: no answer within {limits.timeout_seconds:g} s"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {_snippet(str(exc))}"
        else:
            reply.attempts = attempt
            reply.statuses = [*statuses, "200"]
            return reply
        statuses.append(error.split(":", 1)[0])
        if attempt < attempts:
            sleep(limits.retry.backoff_seconds(attempt))
    return Reply(Outcome.ERROR, attempts, error=error, statuses=statuses)


def _post_once(
    http: requests.Session,
    url: str,
    fields: Mapping[str, str],
    chunk: tuple[str, bytes, str] | None,
    limits: CallLimits,
) -> Reply:
    files: dict[str, Any] = {name: (None, value) for name, value in fields.items()}
    if chunk is not None:
        files["chunk"] = chunk
    deadline = time.monotonic() + limits.timeout_seconds
    with http.post(
        url,
        files=files,
        headers={"User-Agent": USER_AGENT},
        timeout=(min(CONNECT_TIMEOUT_SECONDS, limits.timeout_seconds), limits.timeout_seconds),
        stream=True,
    ) as answer:
        body = _read_limited(answer, limits.max_response_bytes, deadline, limits.timeout_seconds)
        status = answer.status_code
        content_type = answer.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if status == 204 or (status == 200 and not body.strip()):
        return Reply(Outcome.IGNORED, 0)
    if status != 200:
        raise _StatusError(f"{status}: {_snippet(body.decode('utf-8', 'replace'))}")
    if content_type in ("application/json", "") or content_type.endswith("+json"):
        try:
            output = json.loads(body)
        except ValueError as exc:
            raise _StatusError(f"200: answer is not JSON ({exc})") from exc
        if isinstance(output, dict) and set(output) == {"estimatedProcessingTimeInSeconds"}:
            return Reply(Outcome.ACCEPTED, 0, output=output)
        return Reply(Outcome.SUCCESS, 0, output=output)
    return Reply(Outcome.MEDIA, 0, body=body, content_type=content_type)


def _read_limited(answer: requests.Response, limit: int, deadline: float, timeout: float) -> bytes:
    declared = answer.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ResponseTooLargeError(
            f"answer of {int(declared)} bytes is larger than the limit of {limit} bytes"
        )
    parts: list[bytes] = []
    size = 0
    for part in answer.iter_content(chunk_size=64 * 1024):
        size += len(part)
        if size > limit:
            raise ResponseTooLargeError(f"answer larger than the limit of {limit} bytes")
        if time.monotonic() > deadline:
            raise requests.Timeout(f"answer not complete within {timeout:g} s")
        parts.append(part)
    return b"".join(parts)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ERROR_BODY_CHARS else text[:ERROR_BODY_CHARS] + "..."
