"""Each function's output as CloudWatch Logs events on the local endpoint, as Lambda writes them.

Lambda puts everything a function writes (print, logging, the runtime's START/END/REPORT lines and
the `[ERROR]` block of an unhandled exception) in the log group `/aws/lambda/{name}`, one log
stream per execution environment named `YYYY/MM/DD/[version]<id>`. Here one worker process is
one execution environment. Events are written straight into moto's logs backend (the moto server
runs in this process), so `aws logs tail /aws/lambda/NAME --follow` and `filter_log_events` read
them through the local endpoint.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import IO

ACCOUNT_ID = "123456789012"  # moto's default account, so ARNs match the ones moto hands out
# The Lambda Python runtime joins the lines of one multi-line record (a traceback) with "\r" so
# the log pipeline keeps them in one event; the event shows them on separate lines.
RECORD_LINE_SEPARATOR = "\r"
_lock = threading.Lock()
# moto keeps every event in memory; a warm worker's stream would grow with every invocation. On
# AWS the platform's log groups keep a month (`infrastructure/python_function.py`); here each
# stream keeps its newest events only.
MAX_EVENTS = 5_000
_READ_BYTES = 65536  # moto's logs backend is not thread-safe (its own comment says so)


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
        self.write_many([record])

    def write_many(self, records: list[str]) -> None:
        """Append one event per record, in one put; the stream keeps its newest `MAX_EVENTS`."""
        stamp = int(time.time() * 1000)
        events = [
            {"timestamp": stamp, "message": record.replace(RECORD_LINE_SEPARATOR, "\n")} for record in records
        ]
        # Imported on first use: the CLI's quick commands import the runtime without running moto.
        from moto.logs.models import logs_backends

        backend = logs_backends[ACCOUNT_ID][self._region]
        with _lock:
            if not self._created:
                backend.ensure_log_group(self.group)
                backend.ensure_log_stream(self.group, self.name)
                self._created = True
            backend.put_log_events(self.group, self.name, events)
            stream = backend.groups[self.group].streams[self.name]
            if len(stream.events) > MAX_EVENTS + MAX_EVENTS // 10:  # trimmed now and then, not per put
                del stream.events[: len(stream.events) - MAX_EVENTS]


class FunctionLogs:
    """Makes the log stream of each new worker (execution environment) in one region."""

    def __init__(self, region: str) -> None:
        self.region = region

    def open_stream(self, function_name: str, version: str) -> LogStream:
        return LogStream(self.region, function_name, version)


def forward_output(stream: IO[bytes], logger: logging.Logger, log_stream: LogStream | None) -> None:
    # A worker's stdout/stderr go to its CloudWatch log stream (the platform log keeps them at
    # DEBUG only, so it stays readable), never to the platform's own stdout. Whatever the worker
    # wrote by the time it is read goes in as one batch of events: a put per line cost the
    # platform process more than the rest of the invocation's bookkeeping.
    pending = b""
    with stream:
        while chunk := stream.read1(_READ_BYTES):  # type: ignore[attr-defined]
            *lines, pending = (pending + chunk).split(b"\n")
            _forward_lines(lines, logger, log_stream)
        if pending:
            _forward_lines([pending], logger, log_stream)


def _forward_lines(lines: list[bytes], logger: logging.Logger, log_stream: LogStream | None) -> None:
    texts = [line.decode("utf-8", "replace") for line in lines]
    if logger.isEnabledFor(logging.DEBUG):
        for text in texts:
            logger.debug("%s", text)
    if log_stream is not None and texts:
        try:
            log_stream.write_many(texts)
        except Exception:  # the moto server was reset while the worker still spoke
            logger.debug("could not write to %s", log_stream.group)
