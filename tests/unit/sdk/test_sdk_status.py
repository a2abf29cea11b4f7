from __future__ import annotations

import json

import MediaInsightsEngineLambdaHelper
import medialens_helper
import pytest
from medialens_helper import Status
from medialens_helper.status import parse_status


def test_status_members_are_the_platform_states_with_values_equal_to_names() -> None:
    assert [member.name for member in Status] == [
        "Queued",
        "Started",
        "Executing",
        "Complete",
        "Error",
        "Skipped",
        "Waiting",
    ]
    assert all(member.value == member.name for member in Status)


def test_status_compares_and_serialises_as_a_plain_string() -> None:
    assert Status.Complete == "Complete"
    assert json.dumps({"Status": Status.Error}) == '{"Status": "Error"}'
    assert f"{Status.Waiting}" == "Waiting"


def test_mie_constants_are_aliases_of_the_members() -> None:
    assert Status.OPERATION_STATUS_COMPLETE is Status.Complete
    assert Status.WORKFLOW_STATUS_QUEUED is Status.Queued
    assert Status.STAGE_STATUS_EXECUTING is Status.Executing
    assert Status.OPERATION_STATUS_SKIPPED is Status.Skipped
    assert Status.OPERATION_STATUS_NOT_STARTED == "Not Started"
    assert Status.STAGE_STATUS_NOT_STARTED == "Not Started"
    # The aliases and "Not Started" add no members.
    assert len(list(Status)) == 7


def test_status_is_the_same_class_through_the_mie_package() -> None:
    assert MediaInsightsEngineLambdaHelper.Status is medialens_helper.Status


def test_parse_status_accepts_values_and_names_the_allowed_ones_otherwise() -> None:
    assert parse_status("Executing") is Status.Executing
    with pytest.raises(
        ValueError, match=r"'Done'.*Queued, Started, Executing, Complete, Error, Skipped, Waiting"
    ):
        parse_status("Done")
