"""Execution-side resources for the workflow API tests: executions table, queue, a real dataplane
reached in-process, and a deployed one-stage workflow (machine from the Pass stand-in compiler)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from medialens_helper import DataPlane, InProcessTransport

from api.dataplane import handler as dataplane_handler
from api.dataplane import storage_schema
from api.dataplane.context import ServicesProvider
from api.workflow.executions import ConcurrencySlots, ExecutionStore, environment, table_definition
from api.workflow.routes import executions as execution_routes
from tests.functional.workflow.workflow_helpers import REGION, WorkflowApi, chain, operation_body

EXECUTIONS = "medialens-test-executions"
MEDIA_BUCKET = "medialens-test-dataplane"


@dataclass
class Executions:
    api: WorkflowApi
    queue_url: str
    sqs: Any
    s3: Any

    @property
    def store(self) -> ExecutionStore:
        return ExecutionStore(boto3.client("dynamodb", region_name=REGION), EXECUTIONS)

    @property
    def slots(self) -> ConcurrencySlots:
        return ConcurrencySlots(boto3.client("dynamodb", region_name=REGION), EXECUTIONS)

    def submit(self, workflow: str = "Main", key: str = "upload/video.mp4", **extra: Any) -> dict[str, Any]:
        self.s3.put_object(Bucket=MEDIA_BUCKET, Key=key, Body=b"media")
        body = {"Name": workflow, "Input": {"Media": {"Video": {"S3Bucket": MEDIA_BUCKET, "S3Key": key}}}}
        return dict(self.api.ok("POST", "/workflow/execution", body={**body, **extra}))

    def queued_ids(self) -> list[str]:
        """Execution Ids in the queue (messages are made visible again at once)."""
        found = []
        for _ in range(20):
            answer = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
            messages = answer.get("Messages", [])
            if not messages:
                break
            for message in messages:
                found.append(json.loads(message["Body"])["ExecutionId"])
                self.sqs.change_message_visibility(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
            if len(set(found)) < len(found):
                break
        return sorted(set(found))


@pytest.fixture
def executions(api: WorkflowApi, monkeypatch: pytest.MonkeyPatch) -> Iterator[Executions]:
    environment.aws_client.cache_clear()
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    monkeypatch.setenv("DATAPLANE_BUCKET", MEDIA_BUCKET)
    monkeypatch.setenv("DATAPLANE_TABLE", "medialens-test-dataplane")
    monkeypatch.setenv("DATAPLANE_STREAM", "medialens-test-results")
    dataplane_handler.get_app.cache_clear()
    dataplane_handler.get_app().provider = ServicesProvider(session)
    s3 = session.client("s3")
    s3.create_bucket(Bucket=MEDIA_BUCKET)
    session.client("dynamodb").create_table(
        TableName="medialens-test-dataplane", **storage_schema.table_definition()
    )
    session.client("kinesis").create_stream(StreamName="medialens-test-results", ShardCount=1)
    session.client("dynamodb").create_table(TableName=EXECUTIONS, **table_definition())
    sqs = session.client("sqs")
    queue_url = sqs.create_queue(QueueName="medialens-test-executions")["QueueUrl"]
    monkeypatch.setenv("WORKFLOW_EXECUTION_TABLE", EXECUTIONS)
    monkeypatch.setenv("EXECUTION_QUEUE_URL", queue_url)
    monkeypatch.delenv("WORKFLOW_SCHEDULER_LAMBDA_ARN", raising=False)
    monkeypatch.setattr(
        execution_routes,
        "dataplane_factory",
        lambda: DataPlane(InProcessTransport(dataplane_handler.lambda_handler)),
    )
    api.ok("POST", "/workflow/operation", body=operation_body("Labels", Threshold=50))
    api.ok("POST", "/workflow/operation", body=operation_body("Faces", media="Image"))
    api.ok("POST", "/workflow/stage", body={"Name": "Detect", "Operations": ["Labels", "Faces"]})
    api.ok("POST", "/workflow", body=chain("Main", "Detect"))
    yield Executions(api, queue_url, sqs, s3)
    environment.aws_client.cache_clear()
    dataplane_handler.get_app.cache_clear()
