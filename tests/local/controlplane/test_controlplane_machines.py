"""Generated state machines run for real on moto's interpreter, with the step Lambdas and test
operators in worker processes: success, skip, configuration override, failure kinds, async polls."""

from __future__ import annotations

import json
import re

import pytest

from api.workflow.steps.operator_filter import filter_operation
from tests.local.controlplane.conftest import ControlPlane

pytestmark = pytest.mark.local


def test_two_stage_workflow_completes_and_passes_metadata_on(control_plane: ControlPlane) -> None:
    cp = control_plane
    stages = [
        ("First", [cp.operation("OkA", "ok"), cp.operation("Mie", "mie_style")]),
        ("Second", [cp.operation("OkB", "ok")]),
    ]
    described, record = cp.run(cp.deploy(stages), stages)
    assert described["status"] == "SUCCEEDED", described
    assert record["Status"] == "Complete"
    assert record["StageStatus"] == {"First": "Complete", "Second": "Complete"}
    assert record["Operators"]["First"]["OkA"]["Status"] == "Complete"
    assert record["Operators"]["First"]["Mie"]["Output"]["MetaData"] == {"MieStyle": "yes"}
    # The second stage saw the first stage's merged metadata.
    saw = record["Operators"]["Second"]["OkB"]["Output"]["MetaData"]["OkBSawUpstream"]
    assert '"MieStyle"' in saw and '"OkAConfig"' in saw
    assert cp.slots.running() == 0


def test_disabled_and_absent_media_type_operators_are_skipped(control_plane: ControlPlane) -> None:
    cp = control_plane
    stages = [
        (
            "Only",
            [
                cp.operation("Off", "raises", Enabled=False),
                cp.operation("NeedsAudio", "raises", MediaType="Audio"),
                cp.operation("Meta", "ok", MediaType="MetadataOnly"),
            ],
        )
    ]
    described, record = cp.run(cp.deploy(stages), stages)
    assert described["status"] == "SUCCEEDED", described
    assert record["Status"] == "Complete"
    operators = record["Operators"]["Only"]
    assert operators["Off"]["Status"] == "Skipped"
    assert operators["Off"]["Message"] == "disabled"
    assert operators["NeedsAudio"]["Status"] == "Skipped"
    assert operators["NeedsAudio"]["Message"] == "no Audio in the input media"
    assert operators["Meta"]["Status"] == "Complete"


def test_operators_get_the_event_the_filter_step_builds(control_plane: ControlPlane) -> None:
    # The branch's Pass builds the MIE event from the stage plan; the per-operator filter Lambda
    # of earlier machines built it from the state. Both must give the operator the same event.
    cp = control_plane
    stages = [("First", [cp.operation("OkA", "ok")]), ("Second", [cp.operation("Echo", "echo_event", K=1)])]
    described, record = cp.run(cp.deploy(stages), stages)
    assert described["status"] == "SUCCEEDED", described
    first_output = record["Operators"]["First"]["OkA"]["Output"]
    seen = json.loads(record["Operators"]["Second"]["Echo"]["Output"]["MetaData"]["SeenEvent"])
    state = {
        "ExecutionId": record["Id"],
        "AssetId": record["AssetId"],
        "Input": {
            "Media": {**record["Input"]["Media"], **first_output["Media"]},
            "MetaData": first_output["MetaData"],
        },
        "Configuration": record["Configuration"],
    }
    assert seen == filter_operation({"Name": "Echo", "Stage": "Second"}, state)["Event"]


def test_a_skipped_operator_runs_no_lambda_and_is_recorded_skipped(control_plane: ControlPlane) -> None:
    cp = control_plane
    stages = [("Only", [cp.operation("Off", "ok", Enabled=False), cp.operation("On", "ok")])]
    described, record = cp.run(cp.deploy(stages), stages)
    history = cp.sfn.get_execution_history(executionArn=described["executionArn"], maxResults=1000)
    scheduled = [e for e in history["events"] if e["type"] == "LambdaFunctionScheduled"]
    # prepare media, one operator, complete stage, complete workflow: no filter Lambda, none for Off
    assert len(scheduled) == 4
    assert record["Operators"]["Only"]["Off"]["Status"] == "Skipped"
    assert record["Operators"]["Only"]["Off"]["Message"] == "disabled"
    assert record["Status"] == "Complete"


def test_configuration_override_reaches_the_operator(control_plane: ControlPlane) -> None:
    cp = control_plane
    stages = [("Stage", [cp.operation("Tuned", "ok", Threshold=10, Mode="fast")])]
    overrides = {"Stage": {"Tuned": {"Threshold": 99}}}
    described, record = cp.run(cp.deploy(stages), stages, overrides=overrides)
    assert described["status"] == "SUCCEEDED", described
    seen = record["Operators"]["Stage"]["Tuned"]["Output"]["MetaData"]["TunedConfig"]
    assert '"Threshold": 99' in seen
    assert '"Mode": "fast"' in seen


@pytest.mark.parametrize(
    ("handler", "reason"),
    [
        ("returns_error", "Bad: the input was unusable"),
        ("raises", "Bad: RuntimeError: exploded on purpose"),
        ("mas_error", "Bad: MasExecutionError: the engine rejected the media"),
    ],
)
def test_operator_failure_ends_the_workflow_in_error_with_its_reason(
    control_plane: ControlPlane, handler: str, reason: str
) -> None:
    cp = control_plane
    stages = [
        ("Work", [cp.operation("Good", "ok"), cp.operation("Bad", handler)]),
        ("Never", [cp.operation("Later", "ok")]),
    ]
    described, record = cp.run(cp.deploy(stages), stages)
    assert described["status"] == "FAILED"
    assert record["Status"] == "Error"
    assert record["Error"] == f"stage Work failed: {reason}"
    assert record["StageStatus"] == {"Work": "Error", "Never": "Not Started"}
    assert record["Operators"]["Work"]["Good"]["Status"] == "Complete"
    assert record["Operators"]["Work"]["Bad"]["Status"] == "Error"
    assert "Never" not in record["Operators"]
    assert cp.slots.running() == 0


@pytest.mark.parametrize(
    ("handler", "reason"),
    [
        (
            "crashes",
            r"Bad: Runtime\.ExitError: RequestId: \S+ Error: Runtime exited with error: exit status 7",
        ),
        ("overruns", r"Bad: Sandbox\.Timedout: \S+ \S+ Task timed out after 1\.00 seconds"),
    ],
)
def test_a_crashed_or_overrunning_operator_process_ends_the_workflow_in_error(
    control_plane: ControlPlane, handler: str, reason: str
) -> None:
    cp = control_plane
    stages = [("Work", [cp.operation("Bad", handler)])]
    described, record = cp.run(cp.deploy(stages), stages)
    assert described["status"] == "FAILED"
    assert record["Status"] == "Error"
    assert re.fullmatch(f"stage Work failed: {reason}", record["Error"]), record["Error"]
    assert cp.slots.running() == 0


def test_async_operator_polls_until_complete(control_plane: ControlPlane) -> None:
    cp = control_plane
    stages = [("Async", [cp.operation("Job", "async_start", monitor="async_monitor")])]
    described, record = cp.run(cp.deploy(stages), stages)
    assert described["status"] == "SUCCEEDED", described
    output = record["Operators"]["Async"]["Job"]["Output"]
    assert output["Status"] == "Complete"
    assert output["MetaData"]["Polls"] == "2"


def test_async_operator_failure_is_recorded(control_plane: ControlPlane) -> None:
    cp = control_plane
    stages = [("Async", [cp.operation("Job", "async_start", monitor="async_fail_monitor")])]
    described, record = cp.run(cp.deploy(stages), stages)
    assert described["status"] == "FAILED"
    assert record["Error"] == "stage Async failed: Job: MasExecutionError: the job failed remotely"


def test_async_operator_that_never_finishes_times_out(control_plane: ControlPlane) -> None:
    cp = control_plane
    stages = [
        ("Async", [cp.operation("Hang", "async_start", monitor="async_hang_monitor", TimeoutSeconds=3)])
    ]
    described, record = cp.run(cp.deploy(stages), stages)
    assert described["status"] == "FAILED"
    assert record["Error"] == "stage Async failed: Hang: OperatorTimedOut: Hang timed out after 3 s"
