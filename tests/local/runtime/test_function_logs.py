"""Function output as CloudWatch Logs events: batched from the worker's pipe, newest events kept."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from medialens.runtime import function_logs
from medialens.runtime.function_logs import LogStream, forward_output

pytestmark = pytest.mark.local


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        yield boto3.client("logs", region_name="us-east-1")


def _messages(logs: Any, stream: LogStream) -> list[str]:
    events = logs.get_log_events(logGroupName=stream.group, logStreamName=stream.name, startFromHead=True)
    return [event["message"] for event in events["events"]]


class _Chunks(io.RawIOBase):
    """A pipe that hands over its bytes in the given pieces, as a worker's writes arrive."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = list(chunks)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._chunks:
            return 0
        chunk = self._chunks.pop(0)
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_lines_split_across_reads_become_one_event_each(logs: Any) -> None:
    stream = LogStream("us-east-1", "fn", "$LATEST")
    writes = [b"START one\nhalf of ", b"a line\nmulti\rline rec", b"ord\nno newline"]
    pipe = io.BufferedReader(_Chunks(writes))
    forward_output(pipe, logging.getLogger("test"), stream)
    assert _messages(logs, stream) == ["START one", "half of a line", "multi\nline record", "no newline"]


def test_a_stream_keeps_its_newest_events(logs: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(function_logs, "MAX_EVENTS", 10)
    stream = LogStream("us-east-1", "fn", "$LATEST")
    for batch in range(10):
        stream.write_many([f"event {batch * 5 + index}" for index in range(5)])
    kept = _messages(logs, stream)
    assert kept[-1] == "event 49"
    assert 10 <= len(kept) <= 11  # trimmed to MAX_EVENTS once past it by a tenth
    assert kept == [f"event {n}" for n in range(50 - len(kept), 50)]
