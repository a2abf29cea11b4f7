"""The filter rules: skip decisions, the MIE event, the poll budget, and the stage plan."""

from __future__ import annotations

from typing import Any

import pytest

from api.workflow.steps.operator_filter import (
    MissingConfigurationError,
    filter_operation,
    poll_plan,
    with_stage_plan,
)

OPERATION = {"Name": "Op", "Stage": "S", "Type": "Async"}


def _state(config: dict[str, Any], media: dict[str, Any] | None = None, **settings: int) -> dict[str, Any]:
    return {
        "ExecutionId": "e-1",
        "AssetId": "a-1",
        "Input": {"Media": media if media is not None else {"Video": {"S3Bucket": "b", "S3Key": "k"}}},
        "Configuration": {"S": {"Op": config}},
        "Settings": settings,
    }


@pytest.mark.parametrize(
    ("config", "media", "status"),
    [
        ({"MediaType": "Video", "Enabled": True}, None, "Started"),
        ({"MediaType": "Video", "Enabled": False}, None, "Skipped"),
        ({"MediaType": "Audio", "Enabled": True}, None, "Skipped"),
        ({"MediaType": "MetadataOnly", "Enabled": True}, {}, "Started"),
        ({"MediaType": "Text", "Enabled": True}, {"Text": {"S3Bucket": "b", "S3Key": "t"}}, "Started"),
    ],
)
def test_skip_rules(config: dict[str, Any], media: dict[str, Any] | None, status: str) -> None:
    assert filter_operation(OPERATION, _state(config, media))["Event"]["Status"] == status


def test_event_has_the_mie_shape() -> None:
    event = filter_operation(OPERATION, _state({"MediaType": "Video", "Enabled": True, "K": 1}))["Event"]
    assert event == {
        "Name": "Op",
        "AssetId": "a-1",
        "WorkflowExecutionId": "e-1",
        "Input": {"Media": {"Video": {"S3Bucket": "b", "S3Key": "k"}}, "MetaData": {}},
        "Configuration": {"MediaType": "Video", "Enabled": True, "K": 1},
        "Status": "Started",
        "MetaData": {},
        "Media": {},
    }


def test_missing_configuration_is_an_error() -> None:
    with pytest.raises(MissingConfigurationError, match="Op of stage S"):
        filter_operation(OPERATION, {"ExecutionId": "e", "AssetId": "a", "Input": {}, "Configuration": {}})


def test_default_plan_doubles_to_a_minute_and_fills_an_hour() -> None:
    plan = poll_plan(3600, 1, 60)
    assert plan["RampLeft"] == 6  # 1, 2, 4, 8, 16, 32, then 60
    # 63 s of ramp, then 59 waits of 60 s reach 3603 s >= 3600 s.
    assert plan["RoundsLeft"] == 6 + 59


def test_operator_timeout_and_settings_shape_the_plan() -> None:
    config = {"MediaType": "Video", "Enabled": True, "TimeoutSeconds": 3}
    poll = filter_operation(OPERATION, _state(config, WaitBaseSeconds=1, WaitMaxSeconds=1))["Poll"]
    assert poll == {
        "WaitSeconds": 1,
        "MaxWaitSeconds": 1,
        "RampLeft": 0,
        "RoundsLeft": 3,
        "TimeoutSeconds": 3,
        "TimeoutMessage": "Op timed out after 3 s",
    }


def test_the_stage_plan_has_one_entry_per_branch_with_the_filters_decision() -> None:
    state = _state({"MediaType": "Video", "Enabled": True})
    state["Configuration"]["S"]["Off"] = {"MediaType": "Video", "Enabled": False}
    state["Configuration"]["S"]["Audio"] = {"MediaType": "Audio", "Enabled": True}
    planned = with_stage_plan(state, {"Stage": "S", "Operations": ["Op", "Off", "Audio"]})
    plan = planned["Plan"]
    assert list(plan) == ["Branch0", "Branch1", "Branch2"]
    assert [entry["Status"] for entry in plan.values()] == ["Started", "Skipped", "Skipped"]
    assert plan["Branch1"]["MetaData"] == {"SkipReason": "disabled"}
    assert plan["Branch2"]["MetaData"] == {"SkipReason": "no Audio in the input media"}
    filtered = filter_operation(OPERATION, state)
    assert plan["Branch0"] == {
        "Configuration": filtered["Event"]["Configuration"],
        "Status": "Started",
        "MetaData": {},
        "Poll": filtered["Poll"],
    }
    assert planned["Input"]["MetaData"] == {}  # the branches read Input.MetaData: always present


def test_no_plan_after_the_last_stage_and_a_missing_configuration_fails_the_step() -> None:
    state = {**_state({"MediaType": "Video", "Enabled": True}), "Plan": {"Branch0": {}}}
    assert "Plan" not in with_stage_plan(state, None)
    with pytest.raises(MissingConfigurationError, match="Nope of stage S"):
        with_stage_plan(state, {"Stage": "S", "Operations": ["Nope"]})
