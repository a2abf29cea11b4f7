"""Each function's output as CloudWatch Logs events on the local endpoint, as Lambda writes them.

Lambda puts everything a function writes (print, logging, the runtime's START/END/REPORT lines and
the `[ERROR]` block of an unhandled exception) in the log group `/aws/lambda/{name}`, one log
stream per execution environment named `YYYY/MM/DD/[version]<id>`. Here one worker process is
one execution environment. Events are written straight into moto's logs backend (the moto server
runs in this process), so `aws logs tail /aws/lambda/NAME --follow` and `filter_log_events` read
them through the local endpoint.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

from moto.logs.models import logs_backends

ACCOUNT_ID = "123456789012"  # moto's default account, so ARNs match the ones moto hands out
# The Lambda Python runtime joins the lines of one multi-line record (a traceback) with "\r" so
# the log pipeline keeps them in one event; the event shows them on separate lines.
RECORD_LINE_SEPARATOR = "\r"
_lock = threading.Lock()  # moto's logs backend is not thread-safe (its own comment says so)


def log_group_name(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


class LogStream:
    """One execution environment's log stream; `write` appends one event per output record."""

    def __init__(self, region: str, function_name: str, version: str) -> None:
        self.group = log_group_name(function_name)
        day = datetime.now(UTC).strftime("%Y/%m/%d")
        self.name = f"{day}/[{version}]{uuid.uuid4().hex}"
        self._region = region
        self._created = False

    def write(self, record: str) -> None:
        """Append `record` ("\\r" inside it marks the lines of one multi-line record)."""
        message = record.replace(RECORD_LINE_SEPARATOR, "\n")
        backend = logs_backends[ACCOUNT_ID][self._region]
        with _lock:
            if not self._created:
                backend.ensure_log_group(self.group)
                backend.ensure_log_stream(self.group, self.name)
                self._created = True
            event = {"timestamp": int(time.time() * 1000), "message": message}
            backend.put_log_events(self.group, self.name, [event])


class FunctionLogs:
    """Makes the log stream of each new worker (execution environment) in one region."""

    def __init__(self, region: str) -> None:
        self.region = region

    def open_stream(self, function_name: str, version: str) -> LogStream:
        return LogStream(self.region, function_name, version)
