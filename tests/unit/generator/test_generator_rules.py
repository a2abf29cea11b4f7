"""Generated machines: valid for asl-validator, names unique and short, retry only transient errors."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from medialens_helper.errors import TRANSIENT_ERROR_NAMES

from api.workflow.generator import StepFunctionArns, WorkflowGenerator
from api.workflow.generator.names import MAX_STATE_NAME, operator_state
from api.workflow.models import Operation, Stage, Workflow
from tests.support.asl_validator import asl_validator_problems, validator_problem

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
ARNS = StepFunctionArns(*(FN + name for name in ("f", "x", "s", "c", "e", "m")))


def _operation(name: str, kind: str = "Sync") -> Operation:
    body: dict[str, Any] = {
        "Name": name,
        "Type": kind,
        "Configuration": {"MediaType": "Video", "Enabled": True},
        "StartLambdaArn": FN + "start",
    }
    if kind == "Async":
        body["MonitorLambdaArn"] = FN + "monitor"
    return Operation.model_validate(body)


def _compile(stage_ops: dict[str, list[Operation]], timeout: int | None = None) -> dict[str, Any]:
    names = list(stage_ops)
    steps: dict[str, Any] = {name: {"Next": after} for name, after in itertools.pairwise(names)}
    steps[names[-1]] = {"End": True}
    body = {"Name": "W", "StartAt": names[0], "Stages": steps, "TimeoutSeconds": timeout}
    workflow = Workflow.model_validate(body)
    stages = {name: Stage(Name=name, Operations=[op.Name for op in ops]) for name, ops in stage_ops.items()}
    operations = {op.Name: op for ops in stage_ops.values() for op in ops}
    return dict(json.loads(WorkflowGenerator(ARNS).compile(workflow, stages, operations)))


def _all_states(scope: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for name, state in scope["States"].items():
        found.append((name, state))
        for branch in state.get("Branches", []):
            found.extend(_all_states(branch))
    return found


LONG = "S" + "x" * 63
MACHINE = {
    "Ingest": [_operation("Mediainfo"), _operation("Transcribe", "Async")],
    LONG: [_operation("O" + "y" * 63), _operation("O" + "y" * 62 + "z", "Async")],
}


def test_state_names_are_unique_and_at_most_80_characters() -> None:
    names = [name for name, _ in _all_states(_compile(MACHINE))]
    assert len(names) == len(set(names))
    assert max(len(name) for name in names) <= MAX_STATE_NAME
    assert any("~" in name for name in names)  # the long ones were shortened with a hash


def test_long_names_stay_distinct_after_shortening() -> None:
    first = operator_state(LONG, "O" + "y" * 63, "monitor")
    second = operator_state(LONG, "O" + "y" * 62 + "z", "monitor")
    assert first != second
    assert len(first) == len(second) == MAX_STATE_NAME


@pytest.mark.skipif(validator_problem() is not None, reason=str(validator_problem()))
def test_generated_machine_passes_asl_validator() -> None:
    assert asl_validator_problems(_compile(MACHINE, timeout=3600)) == []


def test_operator_tasks_retry_only_transient_errors_and_catch_the_rest() -> None:
    states = dict(_all_states(_compile(MACHINE)))
    tasks = {name: state for name, state in states.items() if state["Type"] == "Task"}
    assert tasks
    for name, task in tasks.items():
        retried = {error for retrier in task["Retry"] for error in retrier["ErrorEquals"]}
        assert set(TRANSIENT_ERROR_NAMES) <= retried, name
        assert not retried & {"MasExecutionError", "States.ALL", "States.TaskFailed", "Lambda.Unknown"}, name
    monitor = tasks[operator_state("Ingest", "Transcribe", "monitor")]
    assert [c["ErrorEquals"] for c in monitor["Catch"]] == [["States.DataLimitExceeded"], ["States.ALL"]]


def test_async_wait_reads_its_seconds_from_the_state() -> None:
    states = dict(_all_states(_compile(MACHINE)))
    waits = [state for state in states.values() if state["Type"] == "Wait"]
    assert {state["SecondsPath"] for state in waits} == {"$.Poll.WaitSeconds", "$.Poll.MaxWaitSeconds"}
    ramp = states[operator_state("Ingest", "Transcribe", "ramp")]
    assert ramp["Parameters"]["WaitSeconds.$"] == "States.MathAdd($.Poll.WaitSeconds, $.Poll.WaitSeconds)"
    assert ramp["Parameters"]["RoundsLeft.$"] == "States.MathAdd($.Poll.RoundsLeft, -1)"


def test_workflow_timeout_is_optional() -> None:
    assert "TimeoutSeconds" not in _compile(MACHINE)
    assert _compile(MACHINE, timeout=120)["TimeoutSeconds"] == 120


def test_unknown_operation_is_a_value_error() -> None:
    workflow = Workflow.model_validate({"Name": "W", "StartAt": "A", "Stages": {"A": {"End": True}}})
    with pytest.raises(ValueError, match="unknown operations: Ghost"):
        WorkflowGenerator(ARNS).compile(workflow, {"A": Stage(Name="A", Operations=["Ghost"])}, {})


def test_step_arns_come_from_the_environment() -> None:
    env = {
        "OPERATOR_FILTER_LAMBDA_ARN": FN + "f",
        "OPERATOR_FAILED_LAMBDA_ARN": FN + "x",
        "COMPLETE_STAGE_LAMBDA_ARN": FN + "s",
        "COMPLETE_WORKFLOW_LAMBDA_ARN": FN + "c",
        "FAIL_WORKFLOW_LAMBDA_ARN": FN + "e",
        "PREPARE_MEDIA_LAMBDA_ARN": FN + "m",
    }
    assert StepFunctionArns.from_env(env) == ARNS
    with pytest.raises(RuntimeError, match="FAIL_WORKFLOW_LAMBDA_ARN"):
        StepFunctionArns.from_env({k: v for k, v in env.items() if k != "FAIL_WORKFLOW_LAMBDA_ARN"})
