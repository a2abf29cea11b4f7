"""The library's registration on the local platform: its workflows listed on a fresh start, and a
user's own definition under a library name kept, never silently replaced."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from medialens.library_registration import register_library
from medialens.state import StateDir
from operators.library_workflows import STAGE, WORKFLOW
from tests.local.workflows.platform_client import RunningPlatform


def test_a_fresh_platform_lists_the_library_workflow_ready_to_run(running: RunningPlatform) -> None:
    names = [workflow["Name"] for workflow in running.api.call("GET", "/workflow")]
    assert WORKFLOW in names
    workflow = running.api.call("GET", f"/workflow/{WORKFLOW}")
    assert workflow["StateMachineArn"]
    assert list(workflow["Stages"]) == [STAGE]
    assert workflow["Stages"][STAGE]["Operations"] == ["Mediainfo", "Thumbnail"]
    record = running.platform.state.library_record.read_text()
    assert WORKFLOW in record and "Mediainfo" in record


def _operation(name: str, start_arn: str) -> dict[str, Any]:
    return {
        "Name": name,
        "Type": "Sync",
        "Configuration": {"MediaType": "Video", "Enabled": True},
        "StartLambdaArn": start_arn,
    }


def test_an_operator_a_user_registered_under_a_library_name_is_kept_and_said_so(
    running: RunningPlatform, tmp_path: Path
) -> None:
    name = f"Twin{uuid.uuid4().hex[:8]}"
    library_function = running.deployment.function_arn("medialens-op-TestSyncOk-start")
    users_function = running.deployment.function_arn("medialens-op-TestSyncFail-start")
    running.api.upsert("operation", _operation(name, users_function))
    state = StateDir(tmp_path / "state")

    outcome = register_library(running.api, state, [_operation(name, library_function)])

    assert running.api.call("GET", f"/workflow/operation/{name}")["StartLambdaArn"] == users_function
    assert [label for label, _ in outcome.kept] == [f"operation {name}"]
    [line] = [line for line in outcome.lines() if name in line]
    assert "registered through the API" in line and f"DELETE /workflow/operation/{name}" in line
    assert name not in state.library_record.read_text()  # the library does not own it

    # Once the user deletes theirs, the library's is registered, and owned from then on.
    running.api.call("DELETE", f"/workflow/operation/{name}")
    outcome = register_library(running.api, state, [_operation(name, library_function)])
    assert outcome.kept == []
    assert running.api.call("GET", f"/workflow/operation/{name}")["StartLambdaArn"] == library_function
    assert name in state.library_record.read_text()


def test_the_library_updates_what_it_registered_before(running: RunningPlatform, tmp_path: Path) -> None:
    name = f"Own{uuid.uuid4().hex[:8]}"
    library_function = running.deployment.function_arn("medialens-op-TestSyncOk-start")
    state = StateDir(tmp_path / "state")
    register_library(running.api, state, [_operation(name, library_function)])
    changed = {**_operation(name, library_function), "Description": "second release"}

    outcome = register_library(running.api, state, [changed])

    assert outcome.kept == []
    assert running.api.call("GET", f"/workflow/operation/{name}")["Description"] == "second release"
