"""Swap one of moto's methods for ours while a runtime component is installed.

The Lambda bridge and the EventBridge dispatcher both replace a moto method process-wide and run
work in the background; this holds what they share: one installation per method at a time,
idempotent install/uninstall, and a thread pool that is drained on uninstall.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, Self

from medialens.runtime.workers import InvokeResult

_lock = threading.Lock()
_SUMMARY_CHARS = 300


def error_summary(payload: bytes) -> str:
    """One short line for a Lambda error payload: "errorType: errorMessage" (the traceback is in
    the function's CloudWatch log group, not the platform log)."""
    try:
        error = json.loads(payload)
        text = f"{error.get('errorType')}: {error.get('errorMessage')}"
    except (ValueError, AttributeError):
        text = payload.decode("utf-8", "replace")
    return " ".join(text.split())[:_SUMMARY_CHARS]


class MethodPatch:
    """Base of a component that replaces `owner.attribute` with `replacement` while installed."""

    owner: ClassVar[type]
    attribute: ClassVar[str]
    replacement: ClassVar[Callable[..., Any]]
    original: ClassVar[Callable[..., Any]]
    thread_name: ClassVar[str] = "moto-patch"
    _active: ClassVar[MethodPatch | None] = None

    def __init__(self, *, threads: int) -> None:
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None
        self._queued: set[tuple[str, bytes]] = set()  # coalesced invocations not yet started
        self._queued_lock = threading.Lock()

    @classmethod
    def active(cls) -> Self | None:
        found = cls._active
        return found if isinstance(found, cls) else None

    def install(self) -> None:
        cls = type(self)
        with _lock:
            if cls._active is self:
                return
            if cls._active is not None:
                raise RuntimeError(f"another {cls.__name__} is installed")
            self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix=cls.thread_name)
            setattr(cls.owner, cls.attribute, cls.replacement)
            cls._active = self

    def uninstall(self) -> None:
        cls = type(self)
        with _lock:
            if cls._active is not self:
                return
            setattr(cls.owner, cls.attribute, cls.original)
            cls._active = None
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Self:
        self.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self.uninstall()

    def submit_invocation(
        self,
        invoke: Callable[[str, bytes], InvokeResult],
        name: str,
        payload: bytes,
        log: logging.Logger,
        *,
        coalesce: bool = False,
    ) -> None:
        """Run `invoke(name, payload)` in the background, logging rather than raising failures.

        `coalesce`: skip it when the same invocation is queued and not started yet (that one will
        see everything this one would: for a nudge such as "look at the queue now")."""
        executor = self._executor
        if executor is None:
            return
        if not coalesce:
            executor.submit(_invoke_logged, invoke, name, payload, log)
            return
        key = (name, payload)
        with self._queued_lock:
            if key in self._queued:
                return
            self._queued.add(key)

        def started_then_invoke(invoke_name: str, body: bytes) -> InvokeResult:
            with self._queued_lock:
                self._queued.discard(key)
            return invoke(invoke_name, body)

        executor.submit(_invoke_logged, started_then_invoke, name, payload, log)


def _invoke_logged(
    invoke: Callable[[str, bytes], InvokeResult], name: str, payload: bytes, log: logging.Logger
) -> None:
    try:
        result = invoke(name, payload)
    except Exception:
        log.exception("background invocation of %s failed", name)
        return
    if result.function_error:
        log.warning("background invocation of %s failed: %s", name, error_summary(result.payload))
