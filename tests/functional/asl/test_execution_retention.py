"""moto's memory of ended executions (and of its finished threads) is bounded; running and recent
executions are never dropped."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.stepfunctions.parser.utils import TMP_THREADS

from medialens.runtime.execution_retention import prune_executions

ROLE_ARN = "arn:aws:iam::123456789012:role/medialens-states"
QUICK = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
SLOW = json.dumps({"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 30, "End": True}}})


@pytest.fixture
def sfn() -> Iterator[Any]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield boto3.client("stepfunctions", region_name="us-east-1")


def _run_to_end(sfn: Any, machine: str, name: str) -> str:
    arn = str(sfn.start_execution(stateMachineArn=machine, name=name)["executionArn"])
    deadline = time.monotonic() + 10
    while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
        assert time.monotonic() < deadline, f"{name} did not end"
        time.sleep(0.02)
    return arn


def _exists(sfn: Any, arn: str) -> bool:
    try:
        sfn.describe_execution(executionArn=arn)
    except sfn.exceptions.ExecutionDoesNotExist:
        return False
    return True


def test_old_ended_executions_beyond_the_newest_are_dropped(sfn: Any) -> None:
    quick = sfn.create_state_machine(name="quick", definition=QUICK, roleArn=ROLE_ARN)["stateMachineArn"]
    slow = sfn.create_state_machine(name="slow", definition=SLOW, roleArn=ROLE_ARN)["stateMachineArn"]
    ended = [_run_to_end(sfn, quick, f"run-{index}") for index in range(5)]
    running = sfn.start_execution(stateMachineArn=slow, name="still-running")["executionArn"]

    assert prune_executions(keep_per_machine=2, min_age_seconds=0) == 3

    assert [_exists(sfn, arn) for arn in ended] == [False, False, False, True, True]
    assert sfn.describe_execution(executionArn=running)["status"] == "RUNNING"
    listed = sfn.list_executions(stateMachineArn=quick)["executions"]
    assert sorted(item["name"] for item in listed) == ["run-3", "run-4"]
    sfn.stop_execution(executionArn=running)


def test_recently_ended_executions_are_kept_whatever_their_number(sfn: Any) -> None:
    quick = sfn.create_state_machine(name="quick", definition=QUICK, roleArn=ROLE_ARN)["stateMachineArn"]
    ended = [_run_to_end(sfn, quick, f"recent-{index}") for index in range(3)]

    assert prune_executions(keep_per_machine=0, min_age_seconds=600) == 0
    assert all(_exists(sfn, arn) for arn in ended)


def test_finished_interpreter_threads_are_no_longer_listed(sfn: Any) -> None:
    quick = sfn.create_state_machine(name="quick", definition=QUICK, roleArn=ROLE_ARN)["stateMachineArn"]
    for index in range(3):
        _run_to_end(sfn, quick, f"threads-{index}")
    time.sleep(0.2)  # the interpreter's threads end just after the execution does
    prune_executions(keep_per_machine=0, min_age_seconds=0)
    assert all(thread.is_alive() for thread in TMP_THREADS)
