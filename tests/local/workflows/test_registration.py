"""The deploy-time registration handler, driven as CloudFormation's Provider would, against the local API."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from medialens_helper import DataplaneRequest, DataplaneResponse, HttpTransport, Transport
from medialens_helper.transport import InProcessContext
from medialens_helper.workflow_client import WorkflowApiCallError, WorkflowClient

from api.registration import handler as registration
from api.registration.apply import LibraryRegistrar, RegistrationError
from api.registration.properties import PropertiesError, RegistrationProperties
from api.registration.transport import RetryingTransport
from tests.local.workflows.platform_client import RunningPlatform


@pytest.fixture
def signed_as_platform_user(running: RunningPlatform, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The handler signs with boto3's default credentials, as the deployed function's role does."""
    credentials = running.platform.state.credentials()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials.secret_access_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", credentials.region)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    yield


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


def _invoke(
    request_type: str, properties: dict[str, Any], old: dict[str, Any] | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = {"RequestType": request_type, "ResourceProperties": properties}
    if old is not None:
        event["OldResourceProperties"] = old
        event["PhysicalResourceId"] = registration.PHYSICAL_ID
    result: dict[str, Any] = registration.lambda_handler(event, InProcessContext())
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
    assert result["Data"]["Workflows"] == workflow["Name"]
    assert (
        running.api.call("GET", f"/workflow/operation/{operation['Name']}")["Configuration"]["Enabled"]
        is True
    )
    assert _max_concurrent(running.api) == 7
    execution = running.run(workflow["Name"])
    assert execution["Status"] == "Complete", execution


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

    assert running.api.call("GET", f"/workflow/operation/{kept['Name']}")["Configuration"]["Extra"] == "2"
    assert not _exists(running.api, f"/workflow/{old_workflow['Name']}")
    assert not _exists(running.api, f"/workflow/stage/{old_stage['Name']}")
    assert not _exists(running.api, f"/workflow/operation/{dropped['Name']}")
    assert _exists(running.api, f"/workflow/stage/{new_stage['Name']}")
    assert _max_concurrent(running.api) == 6
    assert f"operation {dropped['Name']}" in result["Data"]["Removed"]


def test_update_leaves_a_dropped_operation_a_users_stage_still_uses(
    library: Library, running: RunningPlatform
) -> None:
    shared = library.operation("Shared")
    old = library.properties([shared], [], [])
    _invoke("Create", old)
    users_stage = f"User{library.tag}"
    running.api.upsert("stage", {"Name": users_stage, "Operations": [shared["Name"]]})

    result = _invoke("Update", library.properties([], [], []), old)

    assert _exists(running.api, f"/workflow/operation/{shared['Name']}")
    assert result["Data"]["Left"] == f"operation {shared['Name']}"


def test_delete_removes_what_was_registered(library: Library, running: RunningPlatform) -> None:
    operation = library.operation("Gone")
    stage = library.stage("GoneStage", operation)
    workflow = library.workflow("GoneFlow", stage)
    properties = library.properties([operation], [stage], [workflow])
    _invoke("Create", properties)

    _invoke("Delete", properties)

    for path in (f"/workflow/{workflow['Name']}", f"/workflow/stage/{stage['Name']}"):
        assert not _exists(running.api, path)
    assert not _exists(running.api, f"/workflow/operation/{operation['Name']}")


def test_delete_never_fails_the_stack(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing to delete (already gone) and an unreachable API: both end in a successful Delete.
    never_created = library.properties([library.operation("Never")], [], [])
    assert _invoke("Delete", never_created)["Data"]["Left"] == f"operation Reg{library.tag}Never"

    unreachable = {**never_created, "WorkflowApiEndpoint": "http://127.0.0.1:9/api"}
    monkeypatch.setattr(registration, "registrar_for", _without_waiting)
    assert _invoke("Delete", unreachable)["Data"]["Removed"] == ""
    assert (
        _invoke("Delete", {"WorkflowApiEndpoint": "not a url"})["PhysicalResourceId"]
        == registration.PHYSICAL_ID
    )


def _without_waiting(properties: RegistrationProperties, *, deleting: bool = False) -> LibraryRegistrar:
    assert deleting
    transport = HttpTransport(properties.WorkflowApiEndpoint, timeout=2)
    return LibraryRegistrar(WorkflowClient(RetryingTransport(transport, delays=(), sleep=_no_sleep)))


def _no_sleep(_: float) -> None:
    return None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Operations": ['{"Name": "A"', "{}"]}, "Operations: Value error, item 0 is not valid JSON"),
        ({"Stages": ['{"Operations": []}']}, "Stages: Value error, item 0 is not a JSON object with a Name"),
        (
            {"MaxConcurrentWorkflows": "0"},
            "MaxConcurrentWorkflows: Input should be greater than or equal to 1",
        ),
        ({"MaxConcurrentWorkflows": "many"}, "MaxConcurrentWorkflows: Input should be a valid integer"),
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


def test_a_refused_definition_fails_the_deploy_naming_it(library: Library) -> None:
    broken_stage = {"Name": f"Reg{library.tag}Broken", "Operations": [f"NoSuch{library.tag}"]}

    with pytest.raises(
        RegistrationError, match=rf"stage 'Reg{library.tag}Broken' was refused: .* answered 4\d\d"
    ):
        _invoke("Create", library.properties([], [broken_stage], []))


def test_unknown_request_type_is_refused(library: Library) -> None:
    with pytest.raises(ValueError, match="unknown RequestType 'Replace'"):
        _invoke("Replace", library.properties([], [], []))


class Scripted:
    """A transport answering from a script, then 200: what a fresh grant looks like from inside."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.calls = 0

    def handle(self, request: DataplaneRequest) -> DataplaneResponse:
        self.calls += 1
        if self.answers:
            answer = self.answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return DataplaneResponse(answer, {"Message": f"scripted {answer}"})
        return DataplaneResponse(200, {"ok": True})


def _retrying(inner: Transport, delays: tuple[float, ...]) -> tuple[RetryingTransport, list[float]]:
    slept: list[float] = []
    sleep: Callable[[float], None] = slept.append
    return RetryingTransport(inner, delays=delays, sleep=sleep), slept


def test_a_fresh_grant_answering_403_and_an_unreachable_stage_are_retried_until_ready() -> None:
    from medialens_helper import DataplaneUnavailableError

    inner = Scripted(403, DataplaneUnavailableError("no route", status_code=0), 503)
    transport, slept = _retrying(inner, (1, 2, 4, 8))

    response = transport.handle(DataplaneRequest("GET", "/workflow", {}, None))

    assert response.status_code == 200
    assert slept == [1, 2, 4]
    assert inner.calls == 4


def test_retries_are_bounded_and_the_last_answer_stands() -> None:
    inner = Scripted(403, 403, 403, 403)
    transport, slept = _retrying(inner, (1, 2))

    response = transport.handle(DataplaneRequest("GET", "/workflow", {}, None))

    assert response.status_code == 403
    assert slept == [1, 2]
    assert inner.calls == 3


def test_a_client_error_is_not_retried() -> None:
    inner = Scripted(400)
    transport, slept = _retrying(inner, (1, 2))

    assert transport.handle(DataplaneRequest("POST", "/workflow", {}, {})).status_code == 400
    assert slept == []


def test_one_invocation_stops_waiting_once_its_budget_is_spent() -> None:
    # Many definitions against an API that keeps refusing must not outlive the function's timeout.
    inner = Scripted(*([403] * 20))
    slept: list[float] = []
    transport = RetryingTransport(inner, delays=(4, 4, 4), budget_seconds=10, sleep=slept.append)

    first = transport.handle(DataplaneRequest("POST", "/workflow/operation", {}, {}))
    second = transport.handle(DataplaneRequest("POST", "/workflow/operation", {}, {}))

    assert (first.status_code, second.status_code) == (403, 403)
    assert slept == [4, 4]  # 8 s of the 10 s budget; a third wait would pass it
