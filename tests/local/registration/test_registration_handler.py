"""The deploy-time registration handler, driven as CloudFormation's Provider would, against the local API."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any, cast

import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext
from medialens_helper import DataplaneRequest, DataplaneResponse, Transport
from medialens_helper.transport import InProcessContext
from medialens_helper.workflow_client import WorkflowApiCallError, WorkflowClient

from api.registration import handler as registration
from api.registration.apply import RegistrationError
from api.registration.properties import PropertiesError
from operators.library_workflows import WORKFLOW, library_stages, library_workflows
from tests.local.workflows.platform_client import RunningPlatform


class Library:
    """A small library of uniquely named definitions, rendered as the CDK app renders them."""

    def __init__(self, running: RunningPlatform) -> None:
        self.running = running
        self.tag = uuid.uuid4().hex[:8]
        self._template = running.api.call("GET", "/workflow/operation/TestSyncOk")

    def operation(self, suffix: str, **configuration: Any) -> dict[str, Any]:
        return {
            "Name": f"Reg{self.tag}{suffix}",
            "Type": "Sync",
            "Configuration": {"MediaType": "Video", "Enabled": True, **configuration},
            "StartLambdaArn": self._template["StartLambdaArn"],
        }

    def stage(self, suffix: str, *operations: dict[str, Any]) -> dict[str, Any]:
        return {"Name": f"Reg{self.tag}{suffix}", "Operations": [o["Name"] for o in operations]}

    def workflow(self, suffix: str, stage: dict[str, Any]) -> dict[str, Any]:
        return {
            "Name": f"Reg{self.tag}{suffix}",
            "StartAt": stage["Name"],
            "Stages": {stage["Name"]: {"End": True}},
        }

    def properties(
        self,
        operations: list[dict[str, Any]],
        stages: list[dict[str, Any]],
        workflows: list[dict[str, Any]],
        max_concurrent: str = "7",
    ) -> dict[str, Any]:
        return {
            "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:provider",
            "WorkflowApiEndpoint": self.running.endpoints.workflow_api,
            "Operations": [json.dumps(o) for o in operations],
            "Stages": [json.dumps(s) for s in stages],
            "Workflows": [json.dumps(w) for w in workflows],
            "MaxConcurrentWorkflows": max_concurrent,
            "AppliedAt": "2026-01-01T00:00:00Z",
        }


@pytest.fixture
def library(running: RunningPlatform, signed_as_platform_user: None) -> Library:
    return Library(running)


class Interfering:
    """The real signed transport, except where `answer` returns a status of its own."""

    def __init__(self, inner: Transport, answer: Callable[[DataplaneRequest], int | None]) -> None:
        self.inner = inner
        self.answer = answer
        self.requests: list[str] = []

    def handle(self, request: DataplaneRequest) -> DataplaneResponse:
        self.requests.append(f"{request.method} {request.path}")
        status = self.answer(request)
        if status is not None:
            return DataplaneResponse(status, {"Message": f"interfered with {status}"})
        return self.inner.handle(request)


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The handler's retries record their delays here, and count them as time passed, without sleeping."""
    delays: list[float] = []
    real_init = registration.RetryingTransport.__init__

    def init(self: registration.RetryingTransport, inner: Transport, **options: Any) -> None:
        real_init(self, inner, **options, sleep=delays.append, clock=lambda: sum(delays))

    monkeypatch.setattr(registration.RetryingTransport, "__init__", init)
    return delays


def _interfere(
    monkeypatch: pytest.MonkeyPatch, answer: Callable[[DataplaneRequest], int | None]
) -> list[Interfering]:
    """Every transport the handler makes from now on interferes; the list holds them as they are made."""
    made: list[Interfering] = []
    real = registration.signed_transport

    def signed(endpoint: str) -> Transport:
        made.append(Interfering(real(endpoint), answer))
        return made[-1]

    monkeypatch.setattr(registration, "signed_transport", signed)
    return made


def _invoke(
    request_type: str, properties: dict[str, Any], old: dict[str, Any] | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = {"RequestType": request_type, "ResourceProperties": properties}
    if old is not None:
        event["OldResourceProperties"] = old
    if request_type != "Create":
        event["PhysicalResourceId"] = registration.PHYSICAL_ID
    result: dict[str, Any] = registration.lambda_handler(event, cast(LambdaContext, InProcessContext()))
    return result


def _exists(api: WorkflowClient, path: str) -> bool:
    try:
        api.call("GET", path)
    except WorkflowApiCallError as exc:
        if exc.status_code == 404:
            return False
        raise
    return True


def _max_concurrent(api: WorkflowClient) -> int:
    settings = {item["Name"]: item["Value"] for item in api.call("GET", "/system/configuration")}
    return int(settings["MaxConcurrentWorkflows"])


def test_create_registers_everything_and_the_workflow_runs(
    library: Library, running: RunningPlatform
) -> None:
    operation = library.operation("Op")
    stage = library.stage("Stage", operation)
    workflow = library.workflow("Flow", stage)

    result = _invoke("Create", library.properties([operation], [stage], [workflow], max_concurrent="7"))

    assert result["PhysicalResourceId"] == registration.PHYSICAL_ID
    assert result["Data"] == {
        "Operations": operation["Name"],
        "OperationCount": "1",
        "Stages": stage["Name"],
        "StageCount": "1",
        "Workflows": workflow["Name"],
        "WorkflowCount": "1",
        "Removed": "",
        "Left": "",
        "Kept": "",
        "MaxConcurrentWorkflows": "7",
    }
    assert _max_concurrent(running.api) == 7
    execution = running.run(workflow["Name"])
    assert execution["Status"] == "Complete", execution


def test_the_library_stage_and_workflow_register_as_the_stack_sends_them(
    library: Library, running: RunningPlatform
) -> None:
    # The local platform has registered the operators; the stack's properties add the rest.
    properties = {
        **library.properties([], library_stages(), library_workflows(), max_concurrent="5"),
        "Operations": [],
    }

    result = _invoke("Create", properties)

    names = [workflow["Name"] for workflow in library_workflows()]
    assert WORKFLOW in names and result["Data"]["Workflows"] == ",".join(names)
    for name in names:
        assert running.api.call("GET", f"/workflow/{name}")["Name"] == name


def test_update_applies_changes_and_removes_what_the_library_dropped(
    library: Library, running: RunningPlatform
) -> None:
    kept, dropped = library.operation("Kept"), library.operation("Dropped")
    old_stage = library.stage("Old", kept, dropped)
    old_workflow = library.workflow("OldFlow", old_stage)
    old = library.properties([kept, dropped], [old_stage], [old_workflow], max_concurrent="4")
    _invoke("Create", old)

    changed = library.operation("Kept", Extra="2")
    new_stage = library.stage("New", changed)
    new = library.properties(
        [changed], [new_stage], [library.workflow("NewFlow", new_stage)], max_concurrent="6"
    )
    result = _invoke("Update", new, old)

    assert result["PhysicalResourceId"] == registration.PHYSICAL_ID
    assert running.api.call("GET", f"/workflow/operation/{kept['Name']}")["Configuration"]["Extra"] == "2"
    assert not _exists(running.api, f"/workflow/{old_workflow['Name']}")
    assert not _exists(running.api, f"/workflow/stage/{old_stage['Name']}")
    assert not _exists(running.api, f"/workflow/operation/{dropped['Name']}")
    assert not _exists(running.api, f"/workflow/stage/_{dropped['Name']}")  # went with its operation
    assert _exists(running.api, f"/workflow/stage/{new_stage['Name']}")
    assert _max_concurrent(running.api) == 6
    assert result["Data"]["Removed"] == ",".join(
        [f"workflow {old_workflow['Name']}", f"stage {old_stage['Name']}", f"operation {dropped['Name']}"]
    )


def test_update_leaves_what_a_users_own_stage_or_workflow_still_uses(
    library: Library, running: RunningPlatform
) -> None:
    shared_operation = library.operation("Shared")
    shared_stage = library.stage("SharedStage", library.operation("Other"))
    old = library.properties([shared_operation, library.operation("Other")], [shared_stage], [])
    _invoke("Create", old)
    running.api.upsert("stage", {"Name": f"User{library.tag}", "Operations": [shared_operation["Name"]]})
    running.api.upsert("", library.workflow("UsersFlow", shared_stage))

    result = _invoke("Update", library.properties([library.operation("Other")], [], []), old)

    assert _exists(running.api, f"/workflow/operation/{shared_operation['Name']}")
    assert _exists(running.api, f"/workflow/stage/{shared_stage['Name']}")
    assert result["Data"]["Left"] == f"stage {shared_stage['Name']},operation {shared_operation['Name']}"


def test_a_definition_a_user_registered_under_a_library_name_is_kept_not_replaced(
    library: Library, running: RunningPlatform
) -> None:
    users_function = running.api.call("GET", "/workflow/operation/TestSyncFail")["StartLambdaArn"]
    twin = {**library.operation("Twin"), "StartLambdaArn": users_function}
    running.api.upsert("operation", twin)
    running.api.upsert("stage", {"Name": f"Reg{library.tag}TwinStage", "Operations": [twin["Name"]]})
    theirs = library.stage("TwinStage", library.operation("Mine"))
    old = library.properties([library.operation("Mine")], [], [])
    _invoke("Create", old)

    # A new library version adds an operator and a stage whose names a user already took.
    result = _invoke(
        "Update",
        library.properties([library.operation("Mine"), library.operation("Twin")], [theirs], []),
        old,
    )

    assert running.api.call("GET", f"/workflow/operation/{twin['Name']}")["StartLambdaArn"] == users_function
    user_stage = running.api.call("GET", f"/workflow/stage/{theirs['Name']}")
    assert user_stage["Operations"] == [twin["Name"]]
    assert result["Data"]["Kept"] == f"operation {twin['Name']},stage {theirs['Name']}"
    assert result["Data"]["Operations"] == library.operation("Mine")["Name"]
    assert result["Data"]["Stages"] == ""

    # What the library registered before stays the library's: an update reaches it.
    changed = library.operation("Mine", Extra="yes")
    _invoke("Update", library.properties([changed], [], []), old)
    assert (
        running.api.call("GET", f"/workflow/operation/{changed['Name']}")["Configuration"]["Extra"] == "yes"
    )


def test_update_fails_naming_a_dropped_definition_it_cannot_remove(
    library: Library, running: RunningPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    dropped = library.operation("Stuck")
    old = library.properties([dropped], [], [])
    _invoke("Create", old)
    _interfere(monkeypatch, lambda request: 400 if request.method == "DELETE" else None)

    with pytest.raises(RegistrationError, match=rf"operation {dropped['Name']} could not be removed: .* 400"):
        _invoke("Update", library.properties([], [], []), old)

    assert _exists(running.api, f"/workflow/operation/{dropped['Name']}")


def test_update_with_unreadable_previous_properties_registers_and_removes_nothing(
    library: Library, running: RunningPlatform
) -> None:
    operation = library.operation("Fresh")

    result = _invoke("Update", library.properties([operation], [], []), {"Operations": "not a list"})

    assert _exists(running.api, f"/workflow/operation/{operation['Name']}")
    assert result["Data"]["Removed"] == ""


def test_delete_removes_what_was_registered(library: Library, running: RunningPlatform) -> None:
    operation = library.operation("Gone")
    stage = library.stage("GoneStage", operation)
    workflow = library.workflow("GoneFlow", stage)
    properties = library.properties([operation], [stage], [workflow])
    _invoke("Create", properties)

    result = _invoke("Delete", properties)

    assert result["PhysicalResourceId"] == registration.PHYSICAL_ID
    for path in (
        f"/workflow/{workflow['Name']}",
        f"/workflow/stage/{stage['Name']}",
        f"/workflow/operation/{operation['Name']}",
        f"/workflow/stage/_{operation['Name']}",
    ):
        assert not _exists(running.api, path), path


def test_delete_meeting_errors_never_fails_the_stack(
    library: Library, running: RunningPlatform, monkeypatch: pytest.MonkeyPatch, slept: list[float]
) -> None:
    gone, refused = library.operation("AlreadyGone"), library.operation("Refused")
    _invoke("Create", library.properties([refused], [], []))
    properties = library.properties([gone, refused], [], [])
    _interfere(monkeypatch, lambda r: 500 if r.method == "DELETE" and r.path.endswith("Refused") else None)

    result = _invoke("Delete", properties)

    assert result["Data"]["Left"] == f"operation {gone['Name']},operation {refused['Name']}"
    assert _exists(running.api, f"/workflow/operation/{refused['Name']}")
    assert sum(slept) <= registration.DELETE_BUDGET_SECONDS


def test_delete_with_unreachable_api_or_unreadable_properties_still_succeeds(
    library: Library, slept: list[float]
) -> None:
    unreachable = {
        **library.properties([library.operation("Never")], [], []),
        "WorkflowApiEndpoint": "http://127.0.0.1:9/api",
    }

    assert _invoke("Delete", unreachable)["Data"]["Left"] == f"operation Reg{library.tag}Never"
    assert _invoke("Delete", {"WorkflowApiEndpoint": "not a url"}) == {
        "PhysicalResourceId": registration.PHYSICAL_ID,
        "Data": {},
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Operations": ['{"Name": "A"', "{}"]}, "Operations: Value error, item 0 is not valid JSON"),
        ({"Operations": "[]"}, "Operations: Value error, must be a list of JSON documents"),
        (
            {"Stages": ['{"Name": "S", "Operations": []}', '{"Operations": []}']},
            "Stages: Value error, item 1 is not a JSON object with a string Name",
        ),
        (
            {"Workflows": ['{"Name": "W"}', '{"Name": "W"}']},
            "Workflows: Value error, item 1 repeats the Name 'W'",
        ),
        (
            {"Stages": ['{"Name": "_Op", "Operations": []}']},
            "Stages: Value error, item 0 \\('_Op'\\) is an operation's",
        ),
        (
            {"MaxConcurrentWorkflows": "0"},
            "MaxConcurrentWorkflows: Input should be greater than or equal to 1",
        ),
        (
            {"MaxConcurrentWorkflows": "2.5"},
            "MaxConcurrentWorkflows: Value error, must be a whole number, got '2.5'",
        ),
        ({"MaxConcurrentWorkflows": "true"}, "MaxConcurrentWorkflows: Value error, must be a whole number"),
        ({"MaxConcurrentWorkflows": None}, "MaxConcurrentWorkflows: "),
        ({"WorkflowApiEndpoint": "ftp://x"}, "WorkflowApiEndpoint: String should match pattern"),
    ],
)
def test_malformed_properties_fail_with_the_property_named_and_change_nothing(
    library: Library, running: RunningPlatform, change: dict[str, Any], message: str
) -> None:
    operation = library.operation("Untouched")
    before = _max_concurrent(running.api)
    properties = {**library.properties([operation], [], [], max_concurrent=str(before + 1)), **change}

    with pytest.raises(PropertiesError, match=message):
        _invoke("Create", properties)

    assert not _exists(running.api, f"/workflow/operation/{operation['Name']}")
    assert _max_concurrent(running.api) == before


def test_malformed_new_properties_on_update_remove_nothing(
    library: Library, running: RunningPlatform
) -> None:
    operation = library.operation("Stays")
    old = library.properties([operation], [], [])
    _invoke("Create", old)

    with pytest.raises(PropertiesError, match="MaxConcurrentWorkflows"):
        _invoke("Update", {**library.properties([], [], []), "MaxConcurrentWorkflows": "none"}, old)

    assert _exists(running.api, f"/workflow/operation/{operation['Name']}")


def test_403s_while_the_grant_goes_live_are_retried_then_everything_registers(
    library: Library, running: RunningPlatform, monkeypatch: pytest.MonkeyPatch, slept: list[float]
) -> None:
    refusals = iter([403, 403, 503])
    made = _interfere(monkeypatch, lambda _: next(refusals, None))
    operation = library.operation("Patient")

    result = _invoke("Create", library.properties([operation], [], [], max_concurrent="3"))

    assert result["Data"]["Operations"] == operation["Name"]
    assert _exists(running.api, f"/workflow/operation/{operation['Name']}")
    assert _max_concurrent(running.api) == 3
    assert slept == [1, 2, 4]
    assert made[-1].requests[:4] == ["POST /system/configuration"] * 4


@pytest.mark.parametrize(
    ("kind", "broken"),
    [
        ("stage", lambda tag: {"Name": f"Reg{tag}Broken", "Operations": [f"NoSuch{tag}"]}),
        ("operation", lambda tag: {"Name": f"Reg{tag}Broken", "Type": "Sometimes", "Configuration": {}}),
        ("workflow", lambda tag: {"Name": f"Reg{tag}Broken", "StartAt": "Nowhere", "Stages": {}}),
    ],
)
def test_a_refused_definition_fails_the_deploy_naming_it_and_is_not_retried(
    library: Library, kind: str, broken: Callable[[str], dict[str, Any]], slept: list[float]
) -> None:
    lists: dict[str, list[dict[str, Any]]] = {"operation": [], "stage": [], "workflow": []}
    lists[kind].append(broken(library.tag))

    with pytest.raises(
        RegistrationError, match=rf"^{kind} 'Reg{library.tag}Broken' was refused: .* answered 400: "
    ):
        _invoke("Create", library.properties(lists["operation"], lists["stage"], lists["workflow"]))

    assert slept == []


def test_unknown_request_type_is_refused(library: Library) -> None:
    with pytest.raises(ValueError, match="unknown RequestType 'Replace'"):
        _invoke("Replace", library.properties([], [], []))
