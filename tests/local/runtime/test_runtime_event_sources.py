"""Kinesis and SQS pollers feed our handlers; EventBridge rules reach Lambda targets."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from medialens.runtime.event_sources import EventSourceSpec, KinesisPoller, SqsPoller, build_pollers
from medialens.runtime.sessions import LocalSession
from medialens.runtime.workers import WorkerPool

pytestmark = pytest.mark.local


def _records(record_dir: Path, function: str = "record") -> list[dict[str, Any]]:
    path = record_dir / f"{function}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def _wait(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def _bodies(event: dict[str, Any]) -> list[str]:
    return [r["body"] for r in event.get("Records", []) if "body" in r]


def _kinesis_events(record_dir: Path) -> list[dict[str, Any]]:
    return [r for event in _records(record_dir) for r in event.get("Records", []) if "kinesis" in r]


def test_kinesis_record_reaches_handler(
    session: LocalSession, pool: WorkerPool, bridged: dict[str, str], record_dir: Path
) -> None:
    kinesis = session.client("kinesis")
    kinesis.create_stream(StreamName="events", ShardCount=1)
    poller = KinesisPoller(kinesis, "events", "record", pool.invoke, poll_interval=0.05)
    poller.start()
    try:
        kinesis.put_record(StreamName="events", Data=b'{"asset": "a1"}', PartitionKey="a1")
        _wait(lambda: len(_kinesis_events(record_dir)) >= 1)
    finally:
        poller.stop()
    record = _kinesis_events(record_dir)[0]
    assert record["eventSource"] == "aws:kinesis"
    assert record["eventSourceARN"].endswith(":stream/events")
    assert record["kinesis"]["partitionKey"] == "a1"
    assert base64.b64decode(record["kinesis"]["data"]) == b'{"asset": "a1"}'
    assert record["eventID"].endswith(record["kinesis"]["sequenceNumber"])


def test_a_put_wakes_a_sleeping_kinesis_poller(
    session: LocalSession, pool: WorkerPool, bridged: dict[str, str], record_dir: Path
) -> None:
    # A clock of a minute: only moto's put signal can deliver the record within the wait below.
    kinesis = session.client("kinesis")
    kinesis.create_stream(StreamName="woken", ShardCount=2)
    poller = KinesisPoller(kinesis, "woken", "record", pool.invoke, poll_interval=60.0)

    def woken() -> list[dict[str, Any]]:
        return [r for r in _kinesis_events(record_dir) if r["eventSourceARN"].endswith(":stream/woken")]

    poller.start()
    try:
        time.sleep(0.2)  # the first poll has found nothing; the poller sleeps
        kinesis.put_record(StreamName="woken", Data=b'{"asset": "a2"}', PartitionKey="a2")
        _wait(lambda: len(woken()) >= 1, timeout=10.0)
        # Another stream's records are no reason to wake it.
        assert not poller._wanted("some-other-stream")
    finally:
        poller.stop()
    assert base64.b64decode(woken()[0]["kinesis"]["data"]) == b'{"asset": "a2"}'


def test_kinesis_failing_batch_is_retried_then_skipped(
    session: LocalSession, pool: WorkerPool, bridged: dict[str, str], record_dir: Path
) -> None:
    kinesis = session.client("kinesis")
    kinesis.create_stream(StreamName="failing", ShardCount=1)
    kinesis.put_record(StreamName="failing", Data=b"x", PartitionKey="p")
    calls: list[bytes] = []

    def invoke(name: str, payload: bytes) -> Any:
        calls.append(payload)
        return pool.invoke("fail", payload)

    poller = KinesisPoller(
        kinesis,
        "failing",
        "fail",
        invoke,
        starting_position="TRIM_HORIZON",
        poll_interval=0.05,
        max_retries=2,
    )
    poller.start()
    try:
        _wait(lambda: len(calls) >= 3)
        time.sleep(0.5)  # no further attempts once skipped
    finally:
        poller.stop()
    assert len(calls) == 3  # the first try and two retries


def test_sqs_message_reaches_handler_and_is_deleted(
    session: LocalSession, pool: WorkerPool, bridged: dict[str, str], record_dir: Path
) -> None:
    sqs = session.client("sqs")
    url = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    poller = SqsPoller(sqs, url, "record", pool.invoke, poll_interval=0.05)
    poller.start()
    try:
        sqs.send_message(
            QueueUrl=url,
            MessageBody='{"job": 1}',
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "start"}},
        )
        _wait(lambda: any(_bodies(e) == ['{"job": 1}'] for e in _records(record_dir)))
    finally:
        poller.stop()
    event = next(e for e in _records(record_dir) if _bodies(e) == ['{"job": 1}'])
    record = event["Records"][0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":work")
    assert record["messageAttributes"]["kind"]["stringValue"] == "start"
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (
        attributes["ApproximateNumberOfMessages"]
        == attributes["ApproximateNumberOfMessagesNotVisible"]
        == "0"
    )


def test_sqs_failed_batch_is_redelivered(
    session: LocalSession, pool: WorkerPool, bridged: dict[str, str], record_dir: Path
) -> None:
    sqs = session.client("sqs")
    spec = EventSourceSpec(kind="sqs", source="retry-queue", function_name="record", batch_size=5)
    url = sqs.create_queue(QueueName="retry-queue", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    (poller,) = build_pollers([spec], session, pool.invoke)
    poller.start()
    try:
        sqs.send_message(QueueUrl=url, MessageBody="fail-once please")
        # The record handler fails the first delivery, so the message shows up twice.
        _wait(lambda: sum("fail-once" in json.dumps(e) for e in _records(record_dir)) >= 2, timeout=15)
        _wait(
            lambda: (
                sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"][
                    "ApproximateNumberOfMessagesNotVisible"
                ]
                == "0"
            )
        )
    finally:
        poller.stop()
    deliveries = [e["Records"][0] for e in _records(record_dir) if "fail-once" in json.dumps(e)]
    assert deliveries[0]["messageId"] == deliveries[1]["messageId"]
    assert deliveries[1]["attributes"]["ApproximateReceiveCount"] == "2"


def test_eventbridge_rule_reaches_lambda_target(
    session: LocalSession, bridged: dict[str, str], record_dir: Path
) -> None:
    events = session.client("events")
    pattern = {"source": ["medialens.test"], "detail-type": ["Workflow Failed"]}
    events.put_rule(Name="errors", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="errors", Targets=[{"Id": "handler", "Arn": bridged["record"]}])
    entries = events.put_events(
        Entries=[
            {"Source": "medialens.test", "DetailType": "Workflow Failed", "Detail": '{"execution": "e1"}'},
            {"Source": "medialens.other", "DetailType": "Workflow Failed", "Detail": '{"execution": "e2"}'},
        ]
    )
    assert entries["FailedEntryCount"] == 0
    _wait(lambda: any(e.get("detail") == {"execution": "e1"} for e in _records(record_dir)))
    time.sleep(0.3)  # the unmatched event must not arrive either
    delivered = [e for e in _records(record_dir) if "detail" in e]
    assert [e["detail"] for e in delivered] == [{"execution": "e1"}]
    assert delivered[0]["source"] == "medialens.test"
    assert delivered[0]["detail-type"] == "Workflow Failed"
    assert delivered[0]["time"].endswith("Z")
