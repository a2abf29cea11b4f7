"""Where moto's Step Functions differs from AWS in a way a workflow can see: put right here.

A task token sent back while the task's own Lambda is still running (an engine operator's start
that finds nothing to do answers at once with `SendTaskSuccess`) ends the task on AWS. moto's
interpreter creates the task's heartbeat endpoint only after the invocation returns, so a Task
with `HeartbeatSeconds` never hears of the early outcome: it waits the whole heartbeat interval
and then fails with `States.HeartbeatTimeout` although its token succeeded. A heartbeat endpoint
created for a token whose outcome is already in is notified at once.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint, HeartbeatEndpoint

_lock = threading.Lock()
_original: Any = None


def _setup_heartbeat_endpoint(self: CallbackEndpoint, heartbeat_seconds: int) -> HeartbeatEndpoint:
    endpoint: HeartbeatEndpoint = _original(self, heartbeat_seconds)
    if self.get_outcome() is not None:  # sent while the task's invocation was still running
        endpoint.notify()
    return endpoint


def install() -> None:
    """Apply the fixes process-wide; safe to call again."""
    global _original
    with _lock:
        if _original is None:
            _original = CallbackEndpoint.setup_heartbeat_endpoint
            CallbackEndpoint.setup_heartbeat_endpoint = _setup_heartbeat_endpoint  # type: ignore[method-assign]


def uninstall() -> None:
    global _original
    with _lock:
        if _original is not None:
            CallbackEndpoint.setup_heartbeat_endpoint = _original  # type: ignore[method-assign]
            _original = None
