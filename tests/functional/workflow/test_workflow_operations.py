"""Operations: create with a singleton stage, validation, update with optimistic locking, delete rules."""

from __future__ import annotations

from tests.functional.workflow.workflow_helpers import (
    WorkflowApi,
    chain,
    deployed_lambda_arn,
    lambda_arn,
    operation_body,
)


def test_create_sync_operation_returns_mie_fields_and_makes_its_singleton_stage(api: WorkflowApi) -> None:
    body = api.ok("POST", "/workflow/operation", body=operation_body("Thumbs", Size=3))
    assert body["Name"] == "Thumbs"
    assert body["Type"] == "Sync"
    assert body["Configuration"] == {"MediaType": "Video", "Enabled": True, "Size": 3}
    assert body["StageName"] == "_Thumbs"
    assert body["ResourceType"] == "OPERATION"
    assert body["Version"] == 1
    assert body["Created"].endswith("Z")
    assert "MonitorLambdaArn" not in body
    assert api.ok("GET", "/workflow/operation/Thumbs") == body
    stage = api.ok("GET", "/workflow/stage/_Thumbs")
    assert stage["Operations"] == ["Thumbs"]
    assert stage["Configuration"] == {"Thumbs": {"MediaType": "Video", "Enabled": True, "Size": 3}}


def test_async_operation_keeps_monitor_and_accepts_mie_role_key(api: WorkflowApi) -> None:
    request = operation_body("Transcribe", kind="Async", media="Audio")
    request["SfnExecutionRole"] = "arn:aws:iam::123456789012:role/mie-sfn"
    body = api.ok("POST", "/workflow/operation", body=request)
    assert body["MonitorLambdaArn"].endswith(":function:TranscribeMonitor")
    assert body["StateMachineExecutionRoleArn"] == "arn:aws:iam::123456789012:role/mie-sfn"


def test_duplicate_operation_is_409(api: WorkflowApi) -> None:
    api.ok("POST", "/workflow/operation", body=operation_body("Dup"))
    message = api.fails(409, "POST", "/workflow/operation", body=operation_body("Dup"))
    assert "Dup" in message and "already exists" in message


def test_async_without_monitor_and_sync_with_monitor_are_400(api: WorkflowApi) -> None:
    request = operation_body("NoMonitor", kind="Async")
    del request["MonitorLambdaArn"]
    assert "MonitorLambdaArn is required" in api.fails(400, "POST", "/workflow/operation", body=request)
    request = operation_body("Extra", kind="Sync")
    request["MonitorLambdaArn"] = request["StartLambdaArn"]
    assert "only allowed for an Async" in api.fails(400, "POST", "/workflow/operation", body=request)


def test_invalid_fields_are_400_naming_the_field(api: WorkflowApi) -> None:
    cases = {
        "Name": {**operation_body("x"), "Name": "has space"},
        "Type": {**operation_body("TypeBad"), "Type": "Sometimes"},
        "StartLambdaArn": {**operation_body("ArnBad"), "StartLambdaArn": "not-an-arn"},
        "Configuration.MediaType": operation_body("MediaBad", media="Hologram"),
        "Configuration.Enabled": {
            **operation_body("EnabledBad"),
            "Configuration": {"MediaType": "Video", "Enabled": "yes"},
        },
        "Surprise": {**operation_body("Typo"), "Surprise": 1},
    }
    for field, request in cases.items():
        message = api.fails(400, "POST", "/workflow/operation", body=request)
        assert field in message, (field, message)
    assert api.ok("GET", "/workflow/operation") == []


def test_overlong_and_underscore_names_are_400(api: WorkflowApi) -> None:
    api.fails(400, "POST", "/workflow/operation", body=operation_body("a" * 65))
    api.fails(400, "POST", "/workflow/operation", body=operation_body("_Hidden"))
    longest = {
        **operation_body("a" * 64),
        "StartLambdaArn": deployed_lambda_arn("f"),
    }
    assert api.ok("POST", "/workflow/operation", body=longest)["StageName"] == "_" + "a" * 64


def test_malformed_or_missing_body_is_400(api: WorkflowApi) -> None:
    assert "not valid JSON" in api.fails(400, "POST", "/workflow/operation", raw="{not json")
    assert "body is required" in api.fails(400, "POST", "/workflow/operation")
    api.fails(400, "POST", "/workflow/operation", raw="[1, 2]")


def test_get_unknown_operation_is_404_and_bad_name_in_path_is_400(api: WorkflowApi) -> None:
    assert "Missing" in api.fails(404, "GET", "/workflow/operation/Missing")
    api.fails(400, "GET", "/workflow/operation/bad!name")


def test_put_round_trips_a_get_and_bumps_version(api: WorkflowApi) -> None:
    api.ok("POST", "/workflow/operation", body=operation_body("Edit", Size=1))
    current = api.ok("GET", "/workflow/operation/Edit")
    current["Configuration"]["Size"] = 2
    updated = api.ok("PUT", "/workflow/operation", body=current)
    assert updated["Version"] == 2
    assert updated["Configuration"]["Size"] == 2
    assert updated["Created"] == current["Created"]
    assert updated["UpdatedWorkflows"] == []
    assert api.ok("GET", "/workflow/operation/Edit")["Configuration"]["Size"] == 2


def test_put_with_a_stale_version_is_409_and_changes_nothing(api: WorkflowApi) -> None:
    api.ok("POST", "/workflow/operation", body=operation_body("Locked", Size=1))
    api.ok("PUT", "/workflow/operation", body=operation_body("Locked", Size=2))
    stale = {**operation_body("Locked", Size=3), "Version": 1}
    assert "version 2" in api.fails(409, "PUT", "/workflow/operation", body=stale)
    assert api.ok("GET", "/workflow/operation/Locked")["Configuration"]["Size"] == 2


def test_put_of_unknown_operation_is_404(api: WorkflowApi) -> None:
    api.fails(404, "PUT", "/workflow/operation", body=operation_body("Ghost"))


def test_delete_unused_operation_removes_it_and_its_stage(api: WorkflowApi) -> None:
    api.ok("POST", "/workflow/operation", body=operation_body("Gone"))
    assert api.ok("DELETE", "/workflow/operation/Gone") == {
        "ResourceType": "OPERATION",
        "Name": "Gone",
        "Deleted": True,
    }
    api.fails(404, "GET", "/workflow/operation/Gone")
    api.fails(404, "GET", "/workflow/stage/_Gone")
    api.fails(404, "DELETE", "/workflow/operation/Gone")
    # The name is free again, stage included.
    api.ok("POST", "/workflow/operation", body=operation_body("Gone"))


def test_delete_operation_used_by_a_stage_is_409_naming_the_stage(api: WorkflowApi) -> None:
    api.ok("POST", "/workflow/operation", body=operation_body("Shared"))
    api.ok("POST", "/workflow/stage", body={"Name": "Analysis", "Operations": ["Shared"]})
    message = api.fails(409, "DELETE", "/workflow/operation/Shared")
    assert "Analysis" in message
    assert api.ok("GET", "/workflow/operation/Shared")["UsedBy"] == ["Analysis"]


def test_delete_operation_run_by_a_workflow_through_its_stage_is_409(api: WorkflowApi) -> None:
    api.ok("POST", "/workflow/operation", body=operation_body("Solo"))
    api.ok("POST", "/workflow", body=chain("SoloFlow", "_Solo"))
    message = api.fails(409, "DELETE", "/workflow/operation/Solo")
    assert "SoloFlow" in message
    api.ok("GET", "/workflow/stage/_Solo")


def test_a_start_or_monitor_function_that_does_not_exist_is_400_naming_it(api: WorkflowApi) -> None:
    missing = lambda_arn("NoSuchStart")
    request = {**operation_body("Ghostly"), "StartLambdaArn": missing}
    message = api.fails(400, "POST", "/workflow/operation", body=request)
    assert message == f'StartLambdaArn: Lambda function "{missing}" does not exist'
    api.fails(404, "GET", "/workflow/operation/Ghostly")
    api.fails(404, "GET", "/workflow/stage/_Ghostly")

    request = {**operation_body("Waiter", kind="Async"), "MonitorLambdaArn": lambda_arn("NoSuchMonitor")}
    message = api.fails(400, "POST", "/workflow/operation", body=request)
    assert message.startswith("MonitorLambdaArn: ") and "NoSuchMonitor" in message
    assert "StartLambdaArn" not in message
    api.fails(404, "GET", "/workflow/operation/Waiter")


def test_both_missing_functions_are_named_in_one_answer(api: WorkflowApi) -> None:
    request = {
        **operation_body("Twice", kind="Async"),
        "StartLambdaArn": lambda_arn("GoneStart"),
        "MonitorLambdaArn": lambda_arn("GoneMonitor"),
    }
    message = api.fails(400, "POST", "/workflow/operation", body=request)
    assert "StartLambdaArn" in message and "GoneStart" in message
    assert "MonitorLambdaArn" in message and "GoneMonitor" in message


def test_put_to_a_function_that_does_not_exist_is_400_and_keeps_the_old_one(api: WorkflowApi) -> None:
    created = api.ok("POST", "/workflow/operation", body=operation_body("Moving"))
    moved = {**operation_body("Moving"), "StartLambdaArn": lambda_arn("Vanished")}
    assert "Vanished" in api.fails(400, "PUT", "/workflow/operation", body=moved)
    kept = api.ok("GET", "/workflow/operation/Moving")
    assert kept["StartLambdaArn"] == created["StartLambdaArn"]
    assert kept["Version"] == 1


def test_a_function_alias_that_does_not_exist_is_400(api: WorkflowApi) -> None:
    request = {**operation_body("Aliased"), "StartLambdaArn": deployed_lambda_arn("AliasedStart") + ":live"}
    assert ":live" in api.fails(400, "POST", "/workflow/operation", body=request)
