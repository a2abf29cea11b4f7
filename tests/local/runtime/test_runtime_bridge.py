"""moto's Lambda invocations — the Invoke API and Step Functions tasks — reach our handlers."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from medialens.runtime.sessions import LocalSession

pytestmark = pytest.mark.local


def _wait_for_execution(sfn: Any, arn: str, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return dict(described)
        time.sleep(0.05)
    raise AssertionError(f"{arn} still running after {timeout} s")


def test_invoke_api_reaches_the_handler(session: LocalSession, bridged: dict[str, str]) -> None:
    response = session.client("lambda").invoke(FunctionName="echo", Payload=b'{"x": 1}', LogType="Tail")
    answer = json.loads(response["Payload"].read())
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert answer["event"] == {"x": 1}
    assert answer["greeting"] == "hello from echo"
    assert "echo got" in __import__("base64").b64decode(response["LogResult"]).decode()


def test_invoke_by_arn_sets_function_error(session: LocalSession, bridged: dict[str, str]) -> None:
    response = session.client("lambda").invoke(FunctionName=bridged["fail"], Payload=b"{}")
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read())["errorType"] == "TransientError"


def test_event_invocation_returns_202_and_runs_later(
    session: LocalSession, bridged: dict[str, str], record_dir: Path
) -> None:
    response = session.client("lambda").invoke(
        FunctionName="record", InvocationType="Event", Payload=b'{"async": "yes"}'
    )
    assert response["StatusCode"] == 202
    log = record_dir / "record.jsonl"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (log.exists() and '"async"' in log.read_text()):
        time.sleep(0.05)
    assert '"async": "yes"' in log.read_text()


def test_state_machine_retry_and_catch_match_exception_class_names(
    session: LocalSession, bridged: dict[str, str]
) -> None:
    sfn = session.client("stepfunctions")
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": bridged["flaky"],
                "Retry": [
                    {
                        "ErrorEquals": ["TransientError"],
                        "IntervalSeconds": 1,
                        "MaxAttempts": 1,
                        "BackoffRate": 1,
                    }
                ],
                "Catch": [{"ErrorEquals": ["PermanentError"], "ResultPath": "$.error", "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "Parameters": {"caught.$": "$.error.Error"}, "End": True},
        },
    }
    machine = sfn.create_state_machine(
        name="retry-catch", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/sfn"
    )["stateMachineArn"]
    inputs = {
        "retried": {"key": "retried", "fail_times": 1},  # fails once, Retry runs it again
        "caught": {"key": "caught", "permanent": True},  # PermanentError goes to Catch
        "exhausted": {"key": "exhausted", "fail_times": 9},  # retries run out: execution fails
    }
    arns = {
        name: sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps(data))["executionArn"]
        for name, data in inputs.items()
    }
    with ThreadPoolExecutor(3) as executor:
        done = dict(
            zip(arns, executor.map(lambda arn: _wait_for_execution(sfn, arn), arns.values()), strict=True)
        )

    assert done["retried"]["status"] == "SUCCEEDED"
    assert json.loads(done["retried"]["output"]) == {"key": "retried", "attempts": 2}
    assert done["caught"]["status"] == "SUCCEEDED"
    assert json.loads(done["caught"]["output"]) == {"caught": "PermanentError"}
    assert done["exhausted"]["status"] == "FAILED"
    assert done["exhausted"]["error"] == "TransientError"
    assert json.loads(done["exhausted"]["cause"])["errorMessage"] == "attempt 2 failed"


def test_state_machine_lambda_invoke_integration(session: LocalSession, bridged: dict[str, str]) -> None:
    sfn = session.client("stepfunctions")
    definition = {
        "StartAt": "Echo",
        "States": {
            "Echo": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": bridged["echo"], "Payload.$": "$"},
                "OutputPath": "$.Payload.event",
                "End": True,
            }
        },
    }
    machine = sfn.create_state_machine(
        name="invoke-integration",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine, name="one", input='{"asset": "a1"}')["executionArn"]
    done = _wait_for_execution(sfn, arn)
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"asset": "a1"}
