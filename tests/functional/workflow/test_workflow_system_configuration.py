"""`/system/configuration`: MIE's list of Name/Value pairs, with values checked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functional.workflow.workflow_helpers import WorkflowApi


def test_default_max_concurrent_workflows_is_reported_before_any_write(api: WorkflowApi) -> None:
    assert api.ok("GET", "/system/configuration") == [{"Name": "MaxConcurrentWorkflows", "Value": 5}]


def test_setting_a_value_is_read_back(api: WorkflowApi) -> None:
    assert api.ok("POST", "/system/configuration", body={"Name": "MaxConcurrentWorkflows", "Value": 10}) == {
        "Name": "MaxConcurrentWorkflows",
        "Value": 10,
    }
    api.ok("POST", "/system/configuration", body={"Name": "MaxConcurrentWorkflows", "Value": "12"})
    assert api.ok("GET", "/system/configuration") == [{"Name": "MaxConcurrentWorkflows", "Value": 12}]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"Name": "MaxConcurrentWorkflows", "Value": 0}, "Value"),
        ({"Name": "MaxConcurrentWorkflows", "Value": 1001}, "Value"),
        ({"Name": "MaxConcurrentWorkflows", "Value": True}, "Value"),
        ({"Name": "MaxConcurrentWorkflows", "Value": "ten"}, "Value"),
        ({"Name": "MaxConcurrentWorkflows", "Value": 2.5}, "Value"),
        ({"Name": "MaxConcurrentWorkflows"}, "Value"),
        ({"Name": "MaxParallelism", "Value": 3}, "Name"),
    ],
)
def test_invalid_parameters_are_400_and_change_nothing(
    api: WorkflowApi, body: dict[str, Any], field: str
) -> None:
    assert field in api.fails(400, "POST", "/system/configuration", body=body)
    assert api.ok("GET", "/system/configuration") == [{"Name": "MaxConcurrentWorkflows", "Value": 5}]
