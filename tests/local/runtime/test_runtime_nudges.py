"""Async invocations of a coalesced platform function: one queued run covers identical later ones."""

from __future__ import annotations

import threading
import time

import pytest

from medialens.runtime.lambda_bridge import LambdaBridge
from medialens.runtime.workers import InvokeResult

pytestmark = pytest.mark.local

EVENT = {"x-amz-invocation-type": "Event"}
NUDGE = b'{"source": "nudge"}'


class Recorder:
    """An invoker whose calls wait for `gate`; it records (name, payload) as each one starts."""

    function_names = frozenset({"scheduler", "other"})

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.calls: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()

    def invoke(self, function_name: str, payload: bytes) -> InvokeResult:
        with self._lock:
            self.calls.append((function_name, payload))
        self.gate.wait(10)
        return InvokeResult(b"{}", None, "")

    def count(self, name: str, payload: bytes) -> int:
        with self._lock:
            return self.calls.count((name, payload))


def _wait_for(condition: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)


def test_identical_nudges_queued_together_run_once_other_invocations_each_run() -> None:
    recorder = Recorder()
    bridge = LambdaBridge(recorder, async_threads=1, coalesced=frozenset({"scheduler"}))
    with bridge:
        bridge.handle("other", b'{"n": 1}', EVENT, {})  # holds the only thread
        _wait_for(lambda: recorder.count("other", b'{"n": 1}') == 1)
        for _ in range(5):
            bridge.handle("scheduler", NUDGE, EVENT, {})
        bridge.handle("scheduler", b'{"source": "aws.events"}', EVENT, {})  # another payload: its own run
        for _ in range(3):
            bridge.handle("other", b'{"n": 2}', EVENT, {})  # not coalesced: every one runs
        recorder.gate.set()
        _wait_for(lambda: len(recorder.calls) >= 6)  # uninstalling drops what is still queued
        time.sleep(0.2)  # and anything queued by mistake runs now
    assert recorder.count("scheduler", NUDGE) == 1
    assert recorder.count("scheduler", b'{"source": "aws.events"}') == 1
    assert recorder.count("other", b'{"n": 2}') == 3


def test_a_nudge_after_the_queued_run_started_is_queued_again() -> None:
    recorder = Recorder()
    bridge = LambdaBridge(recorder, async_threads=1, coalesced=frozenset({"scheduler"}))
    with bridge:
        bridge.handle("scheduler", NUDGE, EVENT, {})
        _wait_for(lambda: recorder.count("scheduler", NUDGE) == 1)  # running: it may miss what comes now
        bridge.handle("scheduler", NUDGE, EVENT, {})
        bridge.handle("scheduler", NUDGE, EVENT, {})
        recorder.gate.set()
        _wait_for(lambda: recorder.count("scheduler", NUDGE) >= 2)
        time.sleep(0.2)
    assert recorder.count("scheduler", NUDGE) == 2
