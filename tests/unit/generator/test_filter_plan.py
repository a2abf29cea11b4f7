"""The filter step's decisions: skip rules, the MIE event, and the poll budget."""

from __future__ import annotations

from typing import Any

import pytest

from api.workflow.steps.operator_filter import MissingConfigurationError, filter_operation, poll_plan

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
