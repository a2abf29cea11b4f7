"""The whole local platform starts, serves, feeds its pollers, keeps state across restarts, stops."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from medialens.durability.changes import Change
from medialens.runtime.deployment_protocol import DATAPLANE_API_BASE, WORKFLOW_API_BASE
from medialens.runtime.event_sources import EventSourceSpec, Invoke, PollingThread
from medialens.runtime.functions import FunctionSpec
from medialens.runtime.platform import LocalPlatform
from medialens.state import Endpoints, StateDir

from .conftest import HANDLERS
from .signing import signed_request

pytestmark = pytest.mark.local


class SampleDeployment:
    bucket_name = "sample-dataplane"

    def __init__(self, record_dir: Path) -> None:
        self.record_dir = record_dir
        self.seen_urls: tuple[str, str] | None = None
        self.ready_endpoints: Endpoints | None = None

    def functions(self, moto_url: str, api_url: str) -> list[FunctionSpec]:
        self.seen_urls = (moto_url, api_url)
        env = {"RECORD_DIR": str(self.record_dir)}
        return [
            FunctionSpec("Api", f"{HANDLERS}.api", {}),
            FunctionSpec("Recorder", f"{HANDLERS}.record", env),
            FunctionSpec("Echo", f"{HANDLERS}.echo", {"GREETING": "platform"}),
        ]

    def provision(self, session: boto3.Session) -> None:
        session.client("s3").create_bucket(Bucket=self.bucket_name)
        session.client("dynamodb").create_table(
            TableName="sample-table",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        session.client("kinesis").create_stream(StreamName="sample-stream", ShardCount=1)

    def event_sources(self) -> list[EventSourceSpec]:
        return [
            EventSourceSpec(kind="kinesis", source="sample-stream", function_name="Recorder", batch_size=10)
        ]

    def api_routes(self) -> Mapping[str, str]:
        return {WORKFLOW_API_BASE: "Api", DATAPLANE_API_BASE: "Api"}

    def recover(self, session: boto3.Session, moto_url: str, replayed: Sequence[Change]) -> str | None:
        return None

    def background_tasks(self, session: boto3.Session, invoke: Invoke) -> list[PollingThread]:
        return []

    def on_ready(self, endpoints: Endpoints, progress: Callable[[str], None]) -> None:
        self.ready_endpoints = endpoints


def _wait(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_platform_runs_and_keeps_state_across_restarts(tmp_path: Path) -> None:
    state = StateDir(tmp_path / "state")
    deployment = SampleDeployment(tmp_path)
    lines: list[str] = []
    platform = LocalPlatform(state, deployment)
    started = time.monotonic()
    endpoints = platform.start(progress=lines.append)
    try:
        assert time.monotonic() - started < 10
        assert any(line.startswith("moto server on http://127.0.0.1:") for line in lines)
        assert "3 functions warm, 0 start at their first call" in lines
        assert state.read_endpoints() == endpoints
        assert deployment.ready_endpoints == endpoints  # on_ready ran with the served endpoints
        assert endpoints.dataplane_bucket == "sample-dataplane"
        assert deployment.seen_urls == (
            endpoints.moto_url,
            endpoints.workflow_api.removesuffix(WORKFLOW_API_BASE),
        )

        assert requests.get(endpoints.workflow_api + "/", timeout=10).status_code == 200
        response = signed_request(
            "GET", endpoints.dataplane_api + "/metadata/a1", credentials=state.credentials()
        )
        assert response.status_code == 200
        assert response.json()["path"] == "/metadata/a1"

        assert platform.session is not None
        answer = platform.session.client("lambda").invoke(FunctionName="Echo", Payload=b"{}")
        assert json.loads(answer["Payload"].read())["greeting"] == "platform"

        platform.session.client("kinesis").put_record(
            StreamName="sample-stream", Data=b"hi", PartitionKey="k"
        )
        _wait(lambda: (tmp_path / "Recorder.jsonl").exists())

        platform.session.client("s3").put_object(
            Bucket="sample-dataplane", Key="private/a1/x.json", Body=b"{}"
        )
        platform.session.client("dynamodb").put_item(TableName="sample-table", Item={"id": {"S": "a1"}})
    finally:
        platform.stop(progress=lines.append)
    assert "saved 1 objects and 1 items" in lines
    assert state.read_endpoints() is None

    lines.clear()
    with LocalPlatform(state, SampleDeployment(tmp_path)) as again:
        assert again.session is not None
        body = again.session.client("s3").get_object(Bucket="sample-dataplane", Key="private/a1/x.json")[
            "Body"
        ]
        assert body.read() == b"{}"
        item = again.session.client("dynamodb").get_item(TableName="sample-table", Key={"id": {"S": "a1"}})
        assert item["Item"]["id"] == {"S": "a1"}


class FailingRecovery(SampleDeployment):
    def recover(self, session: boto3.Session, moto_url: str, replayed: Sequence[Change]) -> str | None:
        raise RuntimeError("recovery failed on purpose")


def test_a_start_that_fails_before_the_api_serves_raises_and_stops_everything(tmp_path: Path) -> None:
    # The API port is bound before recovery and served after it: stopping must not wait for a
    # serve loop that never ran.
    platform = LocalPlatform(StateDir(tmp_path / "state"), FailingRecovery(tmp_path))
    with pytest.raises(RuntimeError, match="recovery failed on purpose"):
        platform.start(progress=lambda _: None)
    assert platform.pool is None and platform.session is None and platform.endpoints is None
