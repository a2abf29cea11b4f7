"""Pollers that feed Kinesis records and SQS messages to Lambda functions, as event source mappings do.

moto's own event source mappings invoke the function synchronously inside the producer's API call
(put_record would wait for the consumer), so the local runtime polls on its own threads instead.
Every poller is bounded: it stops on request, and retries of a failing batch are capped.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from medialens.runtime import moto_signals
from medialens.runtime.moto_signals import KINESIS_RECORD_PUT, Signal
from medialens.runtime.workers import InvokeResult

LOG = logging.getLogger(__name__)
Invoke = Callable[[str, bytes], InvokeResult]
StartingPosition = Literal["LATEST", "TRIM_HORIZON"]


@dataclass(frozen=True)
class EventSourceSpec:
    kind: Literal["kinesis", "sqs"]
    source: str  # stream name, or queue name
    function_name: str
    batch_size: int = 10
    # The local streams are made fresh at each start, so reading from the start loses nothing.
    starting_position: StartingPosition = "TRIM_HORIZON"


def _failed_items(result: InvokeResult) -> list[str] | None:
    """The ids in a ReportBatchItemFailures answer; None when the answer is not one."""
    try:
        answer = json.loads(result.payload or b"null")
    except ValueError:
        return None
    if not isinstance(answer, dict) or not isinstance(answer.get("batchItemFailures"), list):
        return None
    return [str(item.get("itemIdentifier")) for item in answer["batchItemFailures"] if isinstance(item, dict)]


class PollingThread:
    """A stoppable polling thread; subclasses implement `_poll_once` (returns True if it did work).

    Between polls it sleeps `poll_interval` seconds, or less when `wake()` is called (from a
    `moto_signals` listener): a poller that is woken by its source may keep a slow clock.
    """

    wakes_on: ClassVar[Signal | None] = None  # the signal that means "there may be work"

    def __init__(self, name: str, poll_interval: float) -> None:
        self._name = name
        self._poll_interval = poll_interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._prepare()
        if self.wakes_on is not None:
            moto_signals.install()
            self.wakes_on.connect(self._on_signal)
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        if self.wakes_on is not None:
            self.wakes_on.disconnect(self._on_signal)
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Poll now instead of at the end of the current sleep."""
        self._wake.set()

    def _on_signal(self, argument: str) -> None:
        if self._wanted(argument):
            self.wake()

    def _wanted(self, argument: str) -> bool:
        """Whether a firing of `wakes_on` with this argument concerns this poller."""
        return True

    def _prepare(self) -> None:
        """Runs in start(), before the thread: whatever must exist once start() returns."""

    def _poll_once(self) -> bool:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self._poll_once()
            except Exception:
                LOG.exception("%s: poll failed", self._name)
                busy = False
            if not busy:
                self._wake.wait(self._sleep_seconds())
                self._wake.clear()

    def _sleep_seconds(self) -> float:
        """How long to sleep after an idle poll unless woken; subclasses may shorten it."""
        return self._poll_interval


class KinesisPoller(PollingThread):
    wakes_on = KINESIS_RECORD_PUT

    def __init__(
        self,
        kinesis_client: Any,
        stream_name: str,
        function_name: str,
        invoke: Invoke,
        *,
        batch_size: int = 100,
        poll_interval: float = 2.0,  # a safety net: a put wakes the poller at once
        starting_position: StartingPosition = "LATEST",
        max_retries: int = 3,
    ) -> None:
        super().__init__(f"kinesis-{stream_name}->{function_name}", poll_interval)
        self._client = kinesis_client
        self._stream = stream_name
        self._function = function_name
        self._invoke = invoke
        self._batch_size = batch_size
        self._starting_position = starting_position
        self._max_retries = max_retries
        self._iterators: dict[str, str] = {}
        self._stream_arn = ""
        self._region = ""

    def _prepare(self) -> None:
        # Iterators are taken before start() returns, so a LATEST poller sees every later record.
        summary = self._client.describe_stream_summary(StreamName=self._stream)["StreamDescriptionSummary"]
        self._stream_arn = summary["StreamARN"]
        self._region = self._stream_arn.split(":")[3]
        for shard in self._client.list_shards(StreamName=self._stream)["Shards"]:
            iterator = self._client.get_shard_iterator(
                StreamName=self._stream, ShardId=shard["ShardId"], ShardIteratorType=self._starting_position
            )["ShardIterator"]
            self._iterators[shard["ShardId"]] = iterator

    def _wanted(self, argument: str) -> bool:
        return argument == self._stream

    def _poll_once(self) -> bool:
        busy = False
        for shard_id, iterator in list(self._iterators.items()):
            if self._stop.is_set():
                break
            page = self._client.get_records(ShardIterator=iterator, Limit=self._batch_size)
            records = page.get("Records", [])
            if records:
                busy = True
                self._deliver(shard_id, records)
            if page.get("NextShardIterator"):
                self._iterators[shard_id] = page["NextShardIterator"]
            else:
                del self._iterators[shard_id]  # a closed shard
        return busy

    def _deliver(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        attempt = 0
        while records and not self._stop.is_set():
            result = self._invoke(self._function, json.dumps(self._event(shard_id, records)).encode())
            if not result.function_error:
                failed = _failed_items(result)
                if not failed:
                    return
                # Retry from the earliest failed record on, as Lambda does for Kinesis.
                first = min(failed, key=int)
                records = [r for r in records if int(r["SequenceNumber"]) >= int(first)]
            attempt += 1
            if attempt > self._max_retries:
                LOG.error(
                    "%s: skipping %d records after %d retries: %s",
                    self._name,
                    len(records),
                    self._max_retries,
                    result.payload[:1000].decode("utf-8", "replace"),
                )
                return
            self._stop.wait(min(0.1 * 2**attempt, 2.0))

    def _event(self, shard_id: str, records: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "Records": [
                {
                    "kinesis": {
                        "kinesisSchemaVersion": "1.0",
                        "partitionKey": record["PartitionKey"],
                        "sequenceNumber": record["SequenceNumber"],
                        "data": base64.b64encode(record["Data"]).decode("ascii"),
                        "approximateArrivalTimestamp": record["ApproximateArrivalTimestamp"].timestamp(),
                    },
                    "eventSource": "aws:kinesis",
                    "eventVersion": "1.0",
                    "eventID": f"{shard_id}:{record['SequenceNumber']}",
                    "eventName": "aws:kinesis:record",
                    "invokeIdentityArn": "arn:aws:iam::123456789012:role/medialens-local-lambda",
                    "awsRegion": self._region,
                    "eventSourceARN": self._stream_arn,
                }
                for record in records
            ]
        }


class SqsPoller(PollingThread):
    """Deletes a batch's messages when the function succeeds; on failure they reappear after the
    queue's visibility timeout, and the queue's redrive policy moves them to its dead-letter queue."""

    def __init__(
        self,
        sqs_client: Any,
        queue_url: str,
        function_name: str,
        invoke: Invoke,
        *,
        batch_size: int = 10,
        poll_interval: float = 0.2,
    ) -> None:
        super().__init__(f"sqs-{queue_url.rsplit('/', 1)[-1]}->{function_name}", poll_interval)
        self._client = sqs_client
        self._queue_url = queue_url
        self._function = function_name
        self._invoke = invoke
        self._batch_size = min(batch_size, 10)  # ReceiveMessage's own limit
        self._queue_arn = ""

    def _prepare(self) -> None:
        attributes = self._client.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])
        self._queue_arn = attributes["Attributes"]["QueueArn"]

    def _poll_once(self) -> bool:
        messages = self._client.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=self._batch_size,
            WaitTimeSeconds=0,  # short polls keep stop() prompt
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return False
        result = self._invoke(self._function, json.dumps(self._event(messages)).encode())
        if result.function_error:
            LOG.warning(
                "%s: batch failed, left for redelivery: %s",
                self._name,
                result.payload[:1000].decode("utf-8", "replace"),
            )
            return True
        failed = set(_failed_items(result) or [])
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)]
            self._client.delete_message_batch(QueueUrl=self._queue_url, Entries=entries)
        return True

    def _event(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        region = self._queue_arn.split(":")[3]
        return {
            "Records": [
                {
                    "messageId": message["MessageId"],
                    "receiptHandle": message["ReceiptHandle"],
                    "body": message["Body"],
                    "attributes": message.get("Attributes", {}),
                    "messageAttributes": {
                        name: {
                            "stringValue": value.get("StringValue"),
                            "binaryValue": base64.b64encode(value["BinaryValue"]).decode("ascii")
                            if "BinaryValue" in value
                            else None,
                            "stringListValues": value.get("StringListValues", []),
                            "binaryListValues": [],
                            "dataType": value["DataType"],
                        }
                        for name, value in message.get("MessageAttributes", {}).items()
                    },
                    "md5OfBody": message["MD5OfBody"],
                    "eventSource": "aws:sqs",
                    "eventSourceARN": self._queue_arn,
                    "awsRegion": region,
                }
                for message in messages
            ]
        }


Poller = KinesisPoller | SqsPoller


def build_pollers(
    specs: Sequence[EventSourceSpec], session: Any, invoke: Invoke, *, endpoint_url: str | None = None
) -> list[Poller]:
    """One poller per spec, not yet started."""
    pollers: list[Poller] = []
    extra = {"endpoint_url": endpoint_url} if endpoint_url else {}  # else the session's own
    for spec in specs:
        if spec.kind == "kinesis":
            kinesis = session.client("kinesis", **extra)
            pollers.append(
                KinesisPoller(
                    kinesis,
                    spec.source,
                    spec.function_name,
                    invoke,
                    batch_size=spec.batch_size,
                    starting_position=spec.starting_position,
                )
            )
        else:
            sqs = session.client("sqs", **extra)
            queue_url = sqs.get_queue_url(QueueName=spec.source)["QueueUrl"]
            pollers.append(SqsPoller(sqs, queue_url, spec.function_name, invoke, batch_size=spec.batch_size))
    return pollers
