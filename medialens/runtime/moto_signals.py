"""Signals from inside moto, so the local runtime's pollers wake when there is work, not on a clock.

On AWS, Lambda's event source mappings and EventBridge react to a Kinesis record or a Step
Functions status change within moments, at no cost while idle. The local runtime polls moto from
its own threads instead; polling fast enough to feel as prompt cost a sixth of a core while nothing
happened. Two of moto's methods now fire a signal after they have done their work:

- `KINESIS_RECORD_PUT`: a record was appended to a stream (`PutRecord` and `PutRecords` both go
  through `Stream.put_record`); the argument is the stream's name;
- `EXECUTION_ENDED`: a Step Functions execution reached an ending (SUCCEEDED, FAILED, TIMED_OUT,
  ABORTED); the argument is the execution's ARN.

Listeners run on moto's thread and must only wake something up (set an event). The pollers keep a
slow clock as well, so nothing is missed if a signal is.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported by install(): moto's interpreter takes a second to import, and the
    # CLI's quick commands (search, status, env) load this module without running moto
    from moto.kinesis.models import Stream
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

LOG = logging.getLogger(__name__)
Listener = Callable[[str], None]


class Signal:
    """A named set of listeners, each called with one string argument when the signal fires."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def connect(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def disconnect(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def fire(self, argument: str) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(argument)
            except Exception:  # a listener's fault must not fail moto's own call
                LOG.exception("listener of %s failed", self.name)


KINESIS_RECORD_PUT = Signal("kinesis-record-put")
EXECUTION_ENDED = Signal("execution-ended")

_lock = threading.Lock()
_originals: dict[str, Any] = {}  # moto's own methods while ours are installed


def _put_record(self: Stream, *args: Any, **kwargs: Any) -> Any:
    result = _originals["put_record"](self, *args, **kwargs)
    KINESIS_RECORD_PUT.fire(self.stream_name)
    return result


def _terminated(self: BaseExecutionWorkerCommunication) -> None:
    _originals["terminated"](self)
    EXECUTION_ENDED.fire(str(self.execution.exec_arn))


def install() -> None:
    """Make moto fire the signals; idempotent."""
    from moto.kinesis.models import Stream
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    with _lock:
        if _originals:
            return
        _originals["put_record"] = Stream.put_record
        _originals["terminated"] = BaseExecutionWorkerCommunication.terminated
        Stream.put_record = _put_record  # type: ignore[method-assign]
        BaseExecutionWorkerCommunication.terminated = _terminated  # type: ignore[method-assign]


def uninstall() -> None:
    """Restore moto's own methods; listeners stay connected but are no longer called."""
    from moto.kinesis.models import Stream
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    with _lock:
        if not _originals:
            return
        Stream.put_record = _originals.pop("put_record")  # type: ignore[method-assign]
        BaseExecutionWorkerCommunication.terminated = _originals.pop("terminated")  # type: ignore[method-assign]
