"""The workflow the control-plane benchmarks run, and the calls they time around it.

3 stages of 2 parallel Sync operators, both running the operator library's `TestSyncOk` handler
on a 1 KiB upload; next to it, what MIE's generated machines spend for the same workflow, and the
same operator called directly (in this process, and as a Lambda invoke).
"""

from __future__ import annotations

import importlib
import itertools
import json
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
from medialens_helper.workflow_client import WorkflowClient

from medialens.state import Endpoints
from operators.catalog import load_catalog

HANDLER_OPERATOR = "TestSyncOk"
OPERATIONS = ("BenchLeft", "BenchRight")
STAGES = ("BenchStage1", "BenchStage2", "BenchStage3")
WORKFLOW = "BenchThreeStages"
WAIT_TIMEOUT = 600.0
POLL_SECONDS = 0.05

# MIE's generated machines, from its workflow API's ASL templates: a Sync operator is Filter (a
# Lambda), Skip?, Execute (a Lambda), Did Complete?, Succeeded; each stage adds a Parallel state
# and a Complete Stage Lambda.
MIE_SYNC_OPERATOR = (5, 2)  # state transitions, Lambda invocations
MIE_STAGE = (2, 1)


def costs_per_execution(
    client: WorkflowClient, session: boto3.Session, endpoints: Endpoints, media: dict[str, Any]
) -> tuple[int, int]:
    """State transitions and Lambda invocations of one execution, read from its history."""
    execution_id = client.start(WORKFLOW, media)["Id"]
    client.wait(execution_id, timeout=WAIT_TIMEOUT, poll_seconds=POLL_SECONDS)
    machine = client.call("GET", f"/workflow/{WORKFLOW}")["StateMachineArn"]
    sfn = session.client("stepfunctions", endpoint_url=endpoints.moto_url)
    arn = machine.replace(":stateMachine:", ":execution:") + f":{execution_id}"
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    transitions = sum(1 for event in events if event["type"].endswith("StateEntered"))
    invocations = sum(1 for event in events if event["type"] == "LambdaFunctionScheduled")
    return transitions, invocations


def define_workflow(client: WorkflowClient, session: boto3.Session, endpoints: Endpoints) -> dict[str, Any]:
    handler = client.call("GET", f"/workflow/operation/{HANDLER_OPERATOR}")
    for name in OPERATIONS:
        definition = {
            "Name": name,
            "Type": "Sync",
            "Configuration": {"MediaType": "Video", "Enabled": True},
            "StartLambdaArn": handler["StartLambdaArn"],
        }
        client.upsert("operation", definition)
    for stage in STAGES:
        client.upsert("stage", {"Name": stage, "Operations": list(OPERATIONS)})
    transitions: dict[str, dict[str, Any]] = {
        stage: {"Next": following} for stage, following in itertools.pairwise(STAGES)
    }
    transitions[STAGES[-1]] = {"End": True}
    client.upsert("", {"Name": WORKFLOW, "StartAt": STAGES[0], "Stages": transitions})
    key = f"upload/bench-{uuid.uuid4().hex}/clip.mp4"
    s3 = session.client("s3", endpoint_url=endpoints.moto_url)
    s3.put_object(Bucket=endpoints.dataplane_bucket, Key=key, Body=b"\x00" * 1024)
    return {"Video": {"S3Bucket": endpoints.dataplane_bucket, "S3Key": key}}


def run_one(client: WorkflowClient, media: dict[str, Any]) -> float:
    started = time.perf_counter()
    execution_id = client.start(WORKFLOW, media)["Id"]
    final = client.wait(execution_id, timeout=WAIT_TIMEOUT, poll_seconds=POLL_SECONDS)
    elapsed = time.perf_counter() - started
    if final["Status"] != "Complete":
        raise SystemExit(f"execution {execution_id} ended {final['Status']}: {final.get('Error')}")
    return elapsed


def operator_event(media: dict[str, Any]) -> dict[str, Any]:
    return {
        "Name": OPERATIONS[0],
        "AssetId": str(uuid.uuid4()),
        "WorkflowExecutionId": str(uuid.uuid4()),
        "Input": {"Media": media, "MetaData": {}},
        "Configuration": {"MediaType": "Video", "Enabled": True},
        "Status": "Started",
        "MetaData": {},
        "Media": {},
    }


def in_process_handler() -> Callable[[dict[str, Any]], Any]:
    entry = next(entry for entry in load_catalog() if entry.definition.Name == HANDLER_OPERATOR)
    assert entry.definition.StartHandler is not None  # a Sync catalog operator has one
    module_name, function_name = entry.definition.StartHandler.rsplit(".", 1)
    handler = getattr(importlib.import_module(module_name), function_name)
    return lambda event: handler(event, None)


def lambda_invoker(lambda_client: Any, arn: str) -> Callable[[dict[str, Any]], Any]:
    def invoke(event: dict[str, Any]) -> Any:
        response = lambda_client.invoke(FunctionName=arn, Payload=json.dumps(event).encode())
        if response.get("FunctionError"):
            raise SystemExit(f"direct invoke failed: {response['Payload'].read()!r}")
        return json.loads(response["Payload"].read())

    return invoke


def time_calls(call: Callable[[dict[str, Any]], Any], event: dict[str, Any], *, repeat: int) -> float:
    call(event)  # warm-up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call(event)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)
