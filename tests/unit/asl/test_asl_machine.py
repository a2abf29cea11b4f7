"""StateMachine serialisation and the package's public surface."""

from __future__ import annotations

import json

import pytest

import api.workflow.asl as asl
from api.workflow.asl import AslValidationError, Chain, Pass, StateMachine, Succeed, Wait


def build() -> StateMachine:
    return StateMachine.from_chain(
        Chain(
            [Pass("Start", result={"b": 1, "a": 2}), Wait("Pause", seconds_path="$.Wait"), Succeed("Done")]
        ),
        comment="demo",
        timeout_seconds=600,
    )


def test_machine_golden() -> None:
    assert build().to_dict() == {
        "Comment": "demo",
        "StartAt": "Start",
        "States": {
            "Start": {"Type": "Pass", "Result": {"b": 1, "a": 2}, "Next": "Pause"},
            "Pause": {"Type": "Wait", "SecondsPath": "$.Wait", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
        "TimeoutSeconds": 600,
    }


def test_to_json_is_deterministic_and_matches_to_dict() -> None:
    first, second = build().to_json(), build().to_json()

    assert first == second
    assert json.loads(first) == build().to_dict()
    assert first.startswith('{"Comment": "demo", "StartAt": "Start", "States": {"Start": {"Type": "Pass"')


def test_start_may_be_given_as_a_state() -> None:
    done = Succeed("Done")

    assert StateMachine(done, [done]).to_dict() == {
        "StartAt": "Done",
        "States": {"Done": {"Type": "Succeed"}},
    }


@pytest.mark.parametrize("timeout", [0, -1, True])
def test_machine_timeout_must_be_a_positive_integer(timeout: int) -> None:
    with pytest.raises(AslValidationError, match="TimeoutSeconds"):
        StateMachine("A", [Succeed("A")], timeout_seconds=timeout)


def test_validation_error_is_a_value_error_with_problems() -> None:
    error = AslValidationError(["one", "two"])

    assert isinstance(error, ValueError)
    assert error.problems == ("one", "two")
    assert str(error) == "invalid state machine (2 problems):\n  - one\n  - two"


def test_public_api_is_locked() -> None:
    assert sorted(asl.__all__) == sorted(
        [
            "DISCARD",
            "LAMBDA_INVOKE",
            "STATES_ALL",
            "And",
            "AslError",
            "AslValidationError",
            "BooleanEquals",
            "Catcher",
            "Chain",
            "Choice",
            "ChoiceRule",
            "Condition",
            "Fail",
            "FlowState",
            "Graph",
            "Intrinsic",
            "IsNull",
            "IsPresent",
            "JsonObject",
            "JsonPath",
            "JsonValue",
            "Map",
            "Not",
            "NumericEquals",
            "NumericGreaterThan",
            "NumericGreaterThanEquals",
            "NumericLessThan",
            "NumericLessThanEquals",
            "Or",
            "Parallel",
            "Pass",
            "Retrier",
            "State",
            "StateMachine",
            "StringEquals",
            "StringEqualsPath",
            "StringMatches",
            "Succeed",
            "Task",
            "Template",
            "Wait",
            "lambda_invoke_parameters",
        ]
    )
    assert all(hasattr(asl, name) for name in asl.__all__)
