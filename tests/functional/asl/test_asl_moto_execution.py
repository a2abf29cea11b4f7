"""A generated machine really runs on moto's Step Functions interpreter (the local runtime's engine)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support.asl_machines import counting_loop_machine, map_machine

ROLE_ARN = "arn:aws:iam::123456789012:role/medialens-states"


@pytest.fixture
def sfn() -> Iterator[Any]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield boto3.client("stepfunctions", region_name="us-east-1")


def _wait_for_end(sfn: Any, execution_arn: str, *, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        if time.monotonic() > deadline:
            pytest.fail(f"execution still RUNNING after {timeout} s")
        time.sleep(0.05)


def test_generated_loop_machine_runs_to_success_on_moto(sfn: Any) -> None:
    definition = counting_loop_machine(rounds=3, wait_seconds=0).to_json()
    machine_arn = sfn.create_state_machine(name="asl-counting-loop", definition=definition, roleArn=ROLE_ARN)[
        "stateMachineArn"
    ]

    # An explicit name, as the scheduler does (execution name = execution Id).
    started = sfn.start_execution(
        stateMachineArn=machine_arn, name="asl-exec-1", input=json.dumps({"Name": "clip.mp4"})
    )
    described = _wait_for_end(sfn, started["executionArn"])

    assert described["status"] == "SUCCEEDED", described.get("error") or described.get("cause")
    assert json.loads(described["output"]) == {
        "Name": "clip.mp4",
        "Loop": {"Count": 3, "WaitSeconds": 0},
        "Sides": {
            "Left": {"Side": "left", "Count": 3},
            "Right": {"Side": "right", "Name": "clip.mp4"},
        },
    }


def test_wait_seconds_path_really_waits_on_moto(sfn: Any) -> None:
    # Wait states sleep for real in moto; SecondsPath lets the local runtime choose how long.
    definition = counting_loop_machine(rounds=2, wait_seconds=1).to_json()
    machine_arn = sfn.create_state_machine(name="asl-waiting-loop", definition=definition, roleArn=ROLE_ARN)[
        "stateMachineArn"
    ]

    began = time.monotonic()
    started = sfn.start_execution(
        stateMachineArn=machine_arn, name="asl-exec-2", input=json.dumps({"Name": "x"})
    )
    described = _wait_for_end(sfn, started["executionArn"])

    assert described["status"] == "SUCCEEDED"
    assert time.monotonic() - began >= 1.0
    assert json.loads(described["output"])["Loop"] == {"Count": 2, "WaitSeconds": 1}


def test_generated_map_runs_on_moto(sfn: Any) -> None:
    definition = map_machine().to_json()
    machine_arn = sfn.create_state_machine(name="asl-map", definition=definition, roleArn=ROLE_ARN)[
        "stateMachineArn"
    ]

    started = sfn.start_execution(
        stateMachineArn=machine_arn,
        name="asl-exec-3",
        input=json.dumps({"AssetId": "a1", "Chunks": [10, 20]}),
    )
    described = _wait_for_end(sfn, started["executionArn"])

    assert described["status"] == "SUCCEEDED", described.get("error") or described.get("cause")
    assert json.loads(described["output"])["Results"] == [
        {"AssetId": "a1", "Chunk": 10, "Index": 0},
        {"AssetId": "a1", "Chunk": 20, "Index": 1},
    ]
