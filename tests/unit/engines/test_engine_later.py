"""Chunks a chunk engine answered later: each ending read from what the webhooks stored (moto S3)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from api.engines.models import EngineBlock
from api.engines.plan import Chunk
from api.engines.tasks import heartbeat_key, result_key
from operators.engine.later import MAX_WAIT_SECONDS, MIN_WAIT_SECONDS, settle
from operators.engine.run import Run, chunk_metadata, process_form

BUCKET = "dataplane"
NOW = 10_000.0
ENGINE = EngineBlock.model_validate(
    {
        "ProcessUrl": "http://e:8080/process",
        "ReadyUrl": "http://e:8080/ready",
        "Manifest": {"engineMode": "chunk", "supportedInputFormats": ["image/jpeg"]},
        "MaxTTLSeconds": 600,
    }
)
RUN = Run(BUCKET, "private/assets/a1/workflows/w1/engines/Op/", "Op", "a1", "x1", 1, {})


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        ).client("s3")
        client.create_bucket(Bucket=BUCKET)
        yield client


def accepted(index: int, *, at: float = NOW - 5, estimate: Any = 10) -> dict[str, Any]:
    return {
        "Index": index,
        "Outcome": "ACCEPTED",
        "Attempts": 1,
        "AcceptedAt": at,
        "EstimatedSeconds": estimate,
    }


def post(s3: Any, index: int, kind: str, body: dict[str, Any]) -> None:
    prefix = RUN.task_prefix(index)
    raw = json.dumps(body).encode()
    key = heartbeat_key(prefix) if kind == "heartbeat" else result_key(prefix, raw)
    s3.put_object(Bucket=BUCKET, Key=key, Body=raw)


def test_each_chunk_answered_later_ends_as_the_webhooks_say(s3: Any) -> None:
    post(s3, 0, "result", {"output": {"object": [{"label": "a"}]}})
    post(s3, 0, "result", {"output": {"object": [{"label": "b"}]}})
    post(s3, 1, "heartbeat", {"status": "failed", "failureReason": "invalid_data", "failureMsg": "bad"})
    post(s3, 2, "heartbeat", {"status": "complete"})
    records = {
        0: accepted(0),
        1: accepted(1),
        2: accepted(2),
        3: accepted(3, at=NOW - 601),  # past maxTTL, nothing came
        4: {"Index": 4, "Outcome": "SUCCESS", "Attempts": 1, "Output": {}},
    }

    assert settle(ENGINE, RUN, records, s3, NOW) is None

    assert records[0]["Outcome"] == "SUCCESS"
    assert sorted(o["object"][0]["label"] for o in records[0]["Outputs"]) == ["a", "b"]
    assert (records[1]["Outcome"], records[1]["Error"]) == ("ERROR", "invalid_data: bad")
    assert records[2]["Outcome"] == "IGNORED"
    assert (records[3]["Outcome"], records[3]["Error"]) == (
        "ERROR",
        "no result on the result webhook within 600 s (maxTTL)",
    )
    assert records[4]["Outcome"] == "SUCCESS"


@pytest.mark.parametrize(
    ("estimate", "wait"),
    [
        (10, 5),
        (1, MIN_WAIT_SECONDS),
        (3600, MAX_WAIT_SECONDS),
        ("soon", MIN_WAIT_SECONDS),
        (None, MIN_WAIT_SECONDS),
    ],
)
def test_a_chunk_still_awaited_within_maxttl_makes_merge_wait_for_its_estimate(
    s3: Any, estimate: Any, wait: int
) -> None:
    records = {0: accepted(0, estimate=estimate)}  # accepted 5 s ago
    assert settle(ENGINE, RUN, records, s3, NOW) == wait
    assert records[0]["Outcome"] == "ACCEPTED"


def test_merge_looks_again_when_the_first_chunk_is_due_and_never_past_its_maxttl(s3: Any) -> None:
    records = {0: accepted(0, estimate=40), 1: accepted(1, estimate=10)}  # both accepted 5 s ago
    assert settle(ENGINE, RUN, records, s3, NOW) == 5  # chunk 1 is due in 5 s
    short_ttl = ENGINE.model_copy(update={"MaxTTLSeconds": 12})
    assert settle(short_ttl, RUN, {0: accepted(0, estimate=40)}, s3, NOW) == 7  # its maxTTL, not 35 s


def test_without_chunks_answered_later_nothing_is_read(s3: Any) -> None:
    records = {0: {"Index": 0, "Outcome": "IGNORED", "Attempts": 1}}
    assert settle(ENGINE, RUN, records, s3, NOW) is None


def test_the_parent_metadata_is_sent_as_chunk_metadata_with_the_asset_id_last(tmp_path: Any) -> None:
    run = Run(
        **{**RUN.to_json(), "ChunkMetadata": chunk_metadata({"Count": 6, "Note": "x", "assetId": "forged"})}
    )
    form = process_form(ENGINE, run, Chunk(0, "k.jpg", "image/jpeg", 0, 500), "https://cache", tmp_path)
    assert (form["chunk-metadata-Count"], form["chunk-metadata-Note"]) == ("6", "x")
    assert form["chunk-metadata-assetId"] == "a1"
    assert chunk_metadata(None) == {} and chunk_metadata(["not", "a", "dict"]) == {}
