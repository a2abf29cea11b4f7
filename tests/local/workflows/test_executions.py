"""Workflows run end to end on the local platform, driven only through the signed workflow API.

The operators are the registered operator library (`operators/test`), the machines are the ones
the API generated, and every ending — success, skip, failure, timeout, cancel — is read back from
`GET /workflow/execution/{Id}` as a user would.
"""

from __future__ import annotations

import json
import time

import pytest
from medialens_helper.workflow_client import WorkflowApiCallError

from api.workflow.executions import ConcurrencySlots
from tests.local.workflows.platform_client import WAIT_SECONDS, RunningPlatform, operator_view
from tests.support.waiting import wait_until

pytestmark = pytest.mark.local


def test_operator_library_is_registered_at_start(running: RunningPlatform) -> None:
    registered = {operation["Name"]: operation for operation in running.api.operations()}
    expected = {entry.definition.Name for entry in running.deployment.operators}
    assert expected <= set(registered)
    assert {"TestSyncOk", "TestAsyncHang", "TestMieStyle", "Mediainfo", "Thumbnail"} <= expected
    hang = registered["TestAsyncHang"]
    assert hang["Type"] == "Async"
    assert hang["StartLambdaArn"].endswith(":function:medialens-op-TestAsyncHang-start")
    assert hang["MonitorLambdaArn"].endswith(":function:medialens-op-TestAsyncHang-monitor")


def test_two_stages_of_parallel_operators_complete_and_pass_metadata_on(running: RunningPlatform) -> None:
    workflow = running.workflow([["TestSyncOk", "TestAsyncOk"], ["TestMieStyle"]])
    execution = running.run(workflow)

    assert execution["Status"] == "Complete", execution.get("Error")
    assert [stage["Status"] for stage in execution["Stages"]] == ["Complete", "Complete"]
    for name in ("TestSyncOk", "TestAsyncOk", "TestMieStyle"):
        assert operator_view(execution, name)["Status"] == "Complete"
    first = operator_view(execution, "TestSyncOk")
    assert json.loads(first["MetaData"]["TestSyncOkSawUpstream"]) == []
    assert first["Media"]["Text"]["S3Key"].endswith("/TestSyncOk.txt")


def test_disabled_and_absent_media_operators_are_skipped(running: RunningPlatform) -> None:
    workflow = running.workflow([["TestSyncOk", "TestSyncFail"]])
    # TestSyncFail would fail; disabled by the execution's override it must be skipped instead.
    execution = running.run(workflow, Configuration={f"{workflow}s0": {"TestSyncFail": {"Enabled": False}}})
    assert execution["Status"] == "Complete", execution.get("Error")
    assert operator_view(execution, "TestSyncFail")["Status"] == "Skipped"
    assert operator_view(execution, "TestSyncOk")["Status"] == "Complete"

    image_only = running.api.start(workflow, {"Image": running.upload()["Video"]})
    execution = running.api.wait(image_only["Id"], timeout=WAIT_SECONDS, poll_seconds=0.2)
    assert execution["Status"] == "Complete", execution.get("Error")
    assert {op["Status"] for op in execution["Stages"][0]["Operations"]} == {"Skipped"}


def test_configuration_override_merges_per_key_and_reaches_the_operator(running: RunningPlatform) -> None:
    workflow = running.workflow([["TestSyncOk"]])
    stage = f"{workflow}s0"
    execution = running.run(workflow, Configuration={stage: {"TestSyncOk": {"Quality": "high"}}})
    assert execution["Status"] == "Complete", execution.get("Error")
    seen = json.loads(operator_view(execution, "TestSyncOk")["MetaData"]["TestSyncOkConfig"])
    assert seen["Quality"] == "high"
    assert seen["MediaType"] == "Video" and seen["Enabled"] is True  # defaults kept beside the override


def test_unknown_stage_in_the_override_is_refused(running: RunningPlatform) -> None:
    workflow = running.workflow([["TestSyncOk"]])
    with pytest.raises(WorkflowApiCallError) as refused:
        running.api.start(workflow, running.upload(), Configuration={"NoSuchStage": {"TestSyncOk": {}}})
    assert refused.value.status_code == 400
    assert "NoSuchStage" in str(refused.value)


@pytest.mark.parametrize(
    ("operator", "configuration", "reason"),
    [
        ("TestSyncFail", {"Reason": "bad frames"}, "TestSyncFail: bad frames"),
        ("TestSyncRaise", {}, "TestSyncRaise: RuntimeError: TestSyncRaise raised on purpose"),
        ("TestAsyncFail", {"Reason": "engine down"}, "TestAsyncFail: MasExecutionError: engine down"),
        ("TestAsyncHang", {"TimeoutSeconds": 2}, "TestAsyncHang: OperatorTimedOut: TestAsyncHang timed out"),
        ("TestOversize", {}, "TestOversize: States.DataLimitExceeded"),
    ],
)
def test_each_failure_kind_ends_the_execution_in_error_with_its_reason(
    running: RunningPlatform, operator: str, configuration: dict[str, object], reason: str
) -> None:
    workflow = running.workflow([[operator], ["TestSyncOk"]])
    execution = running.run(workflow, Configuration={f"{workflow}s0": {operator: configuration}})

    assert execution["Status"] == "Error"
    assert execution["Error"].startswith(f"stage {workflow}s0 failed: {reason}")
    failed = operator_view(execution, operator)
    assert failed["Status"] == "Error"
    assert execution["Stages"][0]["Status"] == "Error"
    assert operator_view(execution, "TestSyncOk")["Status"] == "Not Started"  # later stages never ran


def test_workflow_timeout_ends_the_execution_through_the_status_change_rule(running: RunningPlatform) -> None:
    # The operator's own budget is long; only the machine's TimeoutSeconds can end it. Step
    # Functions then reports TIMED_OUT, and the rule's handler records the ending.
    # Long enough for the scheduler to record the started machine on a loaded machine first.
    workflow = running.workflow([["TestAsyncHang"]], timeout_seconds=5)
    execution = running.run(
        workflow, Configuration={f"{workflow}s0": {"TestAsyncHang": {"TimeoutSeconds": 600}}}
    )
    assert execution["Status"] == "Error"
    assert execution["Error"] == "the workflow timed out"
    # The operator that was running shows that it timed out, not "Not Started".
    hung = operator_view(execution, "TestAsyncHang")
    assert hung["Status"] == "Error"
    assert "timed out" in hung["Message"]


def test_cancel_stops_the_running_machine_and_records_cancelled(running: RunningPlatform) -> None:
    workflow = running.workflow([["TestAsyncHang"]])
    stage = f"{workflow}s0"
    submitted = running.api.start(
        workflow, running.upload(), Configuration={stage: {"TestAsyncHang": {"TimeoutSeconds": 600}}}
    )
    _wait_for_status(running, submitted["Id"], "Started")

    cancelled = running.api.call("DELETE", f"/workflow/execution/{submitted['Id']}")
    assert cancelled["Status"] == "Cancelled"

    sfn = running.aws.client("stepfunctions")
    machine = running.api.call("GET", f"/workflow/{workflow}")["StateMachineArn"]
    execution_arn = machine.replace(":stateMachine:", ":execution:") + f":{submitted['Id']}"
    wait_until(lambda: sfn.describe_execution(executionArn=execution_arn)["status"] == "ABORTED")
    time.sleep(1.5)  # the watcher has seen ABORTED by now: its event must not change the ending
    final = running.api.execution(submitted["Id"])
    assert final["Status"] == "Cancelled"
    assert final["Error"] == "cancelled by request"

    with pytest.raises(WorkflowApiCallError) as again:
        running.api.call("DELETE", f"/workflow/execution/{submitted['Id']}")
    assert again.value.status_code == 409


def test_operation_registered_by_hand_with_a_known_function_runs(running: RunningPlatform) -> None:
    # What a user does on AWS: point a new operation at a function that already exists.
    arn = running.deployment.function_arn("medialens-op-TestSyncOk-start")
    running.api.upsert(
        "operation",
        {
            "Name": "HandMade",
            "Type": "Sync",
            "Configuration": {"MediaType": "Video", "Enabled": True},
            "StartLambdaArn": arn,
        },
    )
    execution = running.run(running.workflow([["HandMade"]]))
    assert execution["Status"] == "Complete", execution.get("Error")
    assert "HandMadeConfig" in operator_view(execution, "HandMade")["MetaData"]


def test_an_updated_operation_reaches_workflows_that_already_use_it(running: RunningPlatform) -> None:
    arn = running.deployment.function_arn("medialens-op-TestSyncOk-start")
    definition = {
        "Name": "Evolving",
        "Type": "Sync",
        "Configuration": {"MediaType": "Video", "Enabled": True, "Model": "v1"},
        "StartLambdaArn": arn,
    }
    running.api.upsert("operation", definition)
    workflow = running.workflow([["Evolving"]])
    first = running.run(workflow)
    assert json.loads(operator_view(first, "Evolving")["MetaData"]["EvolvingConfig"])["Model"] == "v1"

    running.api.call(
        "PUT",
        "/workflow/operation",
        {**definition, "Configuration": {**definition["Configuration"], "Model": "v2"}},
    )
    second = running.run(workflow)
    assert second["Status"] == "Complete", second.get("Error")
    assert json.loads(operator_view(second, "Evolving")["MetaData"]["EvolvingConfig"])["Model"] == "v2"


def test_nothing_is_left_started_and_no_slot_is_held(running: RunningPlatform) -> None:
    # Runs after the tests above in this module: whatever ended them also gave their slots back.
    wait_until(lambda: running.api.call("GET", "/workflow/execution/status/Started") == [])
    slots = ConcurrencySlots(running.aws.client("dynamodb"), running.deployment.names.execution_table)
    wait_until(lambda: slots.running() == 0)


def _wait_for_status(running: RunningPlatform, execution_id: str, status: str) -> None:
    wait_until(lambda: running.api.execution(execution_id)["Status"] == status, WAIT_SECONDS)


def test_an_mie_operator_stores_a_paged_result_across_its_lambda_invocations(
    running: RunningPlatform,
) -> None:
    workflow = running.workflow([["TestMiePaged"]])
    execution = running.run(workflow)
    assert execution["Status"] == "Complete", execution

    dataplane = running.dataplane()
    pages, cursor = [], None
    for _ in range(10):
        read = dataplane.retrieve_asset_metadata(execution["AssetId"], "TestMiePaged", cursor=cursor)
        pages.append((read["workflow_id"], read["results"]))
        cursor = read.get("cursor")
        if cursor is None:
            break
    assert pages == [(execution["Id"], {"Page": n}) for n in (1, 2, 3)]
