"""Each list route answers in the order docs/workflow-api.md and docs/workflow-executions.md state."""

from __future__ import annotations

from typing import Any

import pytest

from api.workflow.executions import store as store_module
from api.workflow.scheduler import handler as scheduler
from tests.functional.workflow.execution_fixtures import Executions, executions
from tests.functional.workflow.workflow_helpers import WorkflowApi, chain, operation_body

__all__ = ["executions"]  # the fixture, imported so pytest finds it


def every_page(api: WorkflowApi, path: str, limit: int = 2) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    query = {"limit": str(limit)}
    for _ in range(50):
        status, body, headers = api.call("GET", path, query=query)
        assert status == 200, body
        items += body
        if "X-Next-Cursor" not in headers:
            return items
        query = {"limit": str(limit), "cursor": headers["X-Next-Cursor"]}
    raise AssertionError("more than 50 pages")


def test_definitions_are_listed_in_name_order(api: WorkflowApi) -> None:
    for name in ("Zed", "Alpha", "Mid"):
        api.ok("POST", "/workflow/operation", body=operation_body(name))
    api.ok("POST", "/workflow/stage", body={"Name": "Second", "Operations": ["Mid"]})
    api.ok("POST", "/workflow/stage", body={"Name": "First", "Operations": ["Alpha"]})
    for name in ("Wz", "Wa", "Wm"):
        api.ok("POST", "/workflow", body=chain(name, "First"))

    operations = [item["Name"] for item in every_page(api, "/workflow/operation")]
    stages = [item["Name"] for item in every_page(api, "/workflow/stage")]
    workflows = [item["Name"] for item in every_page(api, "/workflow")]

    assert operations == ["Alpha", "Mid", "Zed"]
    assert stages == sorted(["First", "Second", "_Alpha", "_Mid", "_Zed"])
    assert workflows == ["Wa", "Wm", "Wz"]


def test_executions_of_an_asset_and_of_a_status_are_newest_first(executions: Executions) -> None:
    first = executions.submit(key="upload/a.mp4")
    asset = first["AssetId"]
    later = [
        executions.api.ok("POST", "/workflow/execution", body={"Name": "Main", "Input": {"AssetId": asset}})
        for _ in range(3)
    ]
    newest_first = [item["Id"] for item in reversed([first, *later])]

    assert [
        item["Id"] for item in every_page(executions.api, f"/workflow/execution/asset/{asset}")
    ] == newest_first
    queued = [item["Id"] for item in every_page(executions.api, "/workflow/execution/status/Queued")]
    assert queued == newest_first


def test_the_full_list_is_newest_first_across_statuses(executions: Executions) -> None:
    executions.api.ok("POST", "/system/configuration", body={"Name": "MaxConcurrentWorkflows", "Value": 2})
    submitted = [executions.submit(key=f"upload/{n}.mp4")["Id"] for n in range(5)]
    assert scheduler.lambda_handler({}, None)["started"] == 2  # two Started, three Queued
    executions.api.ok("DELETE", f"/workflow/execution/{submitted[3]}")  # and one Cancelled

    for limit in (1, 2, 100):
        listed = [item["Id"] for item in every_page(executions.api, "/workflow/execution", limit)]
        assert listed == submitted[::-1]


def test_equal_creation_times_still_list_each_execution_once(
    executions: Executions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "now", lambda: "2030-01-01T00:00:00.000Z")
    submitted = [executions.submit(key=f"upload/{n}.mp4")["Id"] for n in range(5)]
    assert scheduler.lambda_handler({}, None)["started"] >= 1

    listed = [item["Id"] for item in every_page(executions.api, "/workflow/execution", 2)]

    assert listed == sorted(submitted, reverse=True)
