"""One Map item's calls: threads within the concurrency, and the Lambda's deadline respected."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from api.engines.models import EngineBlock
from operators.engine.calls import send_batch
from operators.engine.results import read_records
from operators.engine.run import Run, put_json
from tests.support.fault_engine import FaultEngine

BUCKET = "engine-batches"


class Context:
    """A Lambda context whose invocation ends `seconds` from now."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._end - time.monotonic()) * 1000))


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def planned_run(s3: Any, count: int, threads: int = 4) -> Run:
    run = Run(BUCKET, "media/engines/Op/", "Op", "asset", "execution", threads, {})
    chunks = []
    for index in range(count):
        key = run.chunk_key(index, ".jpg")
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"\xff\xd8frame\xff\xd9")
        chunks.append(
            {
                "Index": index,
                "Key": key,
                "MimeType": "image/jpeg",
                "StartMs": index * 500,
                "EndMs": index * 500 + 500,
            }
        )
    put_json(s3, BUCKET, run.plan_key, chunks)
    return run


def batch(count: int) -> dict[str, Any]:
    return {"Index": 0, "First": 0, "Count": count, "Next": 0, "Done": False}


def test_a_batch_is_sent_with_its_threads_and_every_answer_stored(engine: FaultEngine, s3: Any) -> None:
    engine.process = "slow:0.3"
    run = planned_run(s3, 8)
    began = time.monotonic()
    result = send_batch(EngineBlock.model_validate(engine.block()), run, batch(8), s3, None)
    assert result == {**batch(8), "Next": 8, "Done": True}
    assert time.monotonic() - began < 8 * 0.3  # four at a time, not one by one
    records = read_records(s3, run)
    assert sorted(records) == list(range(8))
    assert {record["Outcome"] for record in records.values()} == {"SUCCESS"}


def test_a_call_short_of_time_sends_one_chunk_and_leaves_the_rest(engine: FaultEngine, s3: Any) -> None:
    engine.process = "slow:0.2"
    run = planned_run(s3, 4)
    block = EngineBlock.model_validate(engine.block(CallTimeoutSeconds=2))
    result = send_batch(block, run, batch(4), s3, Context(8))  # less than one attempt + the margin
    assert (result["Next"], result["Done"]) == (1, False)
    assert len(engine.forms) == 1


def test_an_attempt_the_invocation_s_end_cuts_short_is_deferred_not_failed(
    engine: FaultEngine, s3: Any
) -> None:
    engine.process, engine.hang_seconds = "hang", 5
    run = planned_run(s3, 1)
    block = EngineBlock.model_validate(engine.block(CallTimeoutSeconds=30))
    began = time.monotonic()
    result = send_batch(block, run, batch(1), s3, Context(6.5))
    assert time.monotonic() - began < 4
    assert (result["Next"], result["Done"]) == (0, False)  # sent again by the next call
    assert read_records(s3, run) == {}
