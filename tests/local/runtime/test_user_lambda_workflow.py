"""The guide's operator workflow on the local runtime: a user's handler, written outside the
repository, deployed through the Lambda API, registered as an operator, run in a workflow,
changed, and run again with the new behaviour."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local.workflows.platform_client import RunningPlatform, operator_view, started_platform

from .user_lambda_support import build_zip, deploy, wait_for

pytestmark = pytest.mark.local

OPERATOR = """
from MediaInsightsEngineLambdaHelper import MediaInsightsOperationHelper, OutputHelper

output_object = OutputHelper("{name}")


def lambda_handler(event, context):
    operator_object = MediaInsightsOperationHelper(event)
    print("operator {name} saw", event["Input"]["Media"]["Video"]["S3Key"])
    output_object.add_workflow_metadata(UserVersion="{version}", Model=operator_object.configuration["Model"])
    output_object.update_workflow_status("Complete")
    return output_object.return_output_object()
"""


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    with started_platform(Path(tmp_path_factory.mktemp("platform"))) as platform:
        yield platform


def _operator_zip(folder: Path, name: str, version: str) -> bytes:
    return build_zip(folder / version, {"handler.py": OPERATOR.format(name=name, version=version)})


def test_a_user_function_runs_as_an_operator_and_an_update_reaches_the_next_run(
    running: RunningPlatform, tmp_path: Path
) -> None:
    operator = f"UserOp{uuid.uuid4().hex[:6]}"
    function_name = f"user-{operator}"
    lam = running.aws.client("lambda")
    created = deploy(
        running.platform,
        function_name,
        _operator_zip(tmp_path, operator, "one"),
        Handler="handler.lambda_handler",
        Layers=[running.platform.sdk_layer_arn],
        Timeout=30,
    )
    running.api.upsert(
        "operation",
        {
            "Name": operator,
            "Type": "Sync",
            "Configuration": {"MediaType": "Video", "Enabled": True, "Model": "m1"},
            "StartLambdaArn": created["FunctionArn"],
        },
    )
    workflow = running.workflow([[operator]])

    first = running.run(workflow)

    assert first["Status"] == "Complete", first.get("Error")
    assert operator_view(first, operator)["MetaData"]["UserVersion"] == "one"
    assert operator_view(first, operator)["MetaData"]["Model"] == "m1"

    lam.update_function_code(FunctionName=function_name, ZipFile=_operator_zip(tmp_path, operator, "two"))
    second = running.run(workflow)

    assert second["Status"] == "Complete", second.get("Error")
    assert operator_view(second, operator)["MetaData"]["UserVersion"] == "two"

    logs = running.aws.client("logs")

    def printed() -> list[str]:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{function_name}")["events"]
        return [e["message"] for e in events if e["message"].startswith(f"operator {operator} saw")]

    assert len(wait_for(lambda: len(printed()) >= 2 and printed())) == 2


def test_the_platform_functions_log_to_cloudwatch_too(running: RunningPlatform) -> None:
    logs = running.aws.client("logs")
    # The workflow API served the registrations above: its function wrote START/END/REPORT lines.
    group = f"/aws/lambda/{_api_function(running)}"

    found = wait_for(lambda: logs.filter_log_events(logGroupName=group)["events"])

    assert any(event["message"].startswith("START RequestId: ") for event in found)


def _api_function(running: RunningPlatform) -> str:
    names = [spec.name for spec in running.deployment.functions("", "")]
    return next(name for name in names if "workflow" in name.lower() and "api" in name.lower())


def test_platform_log_has_one_short_line_per_execution_ending_with_its_reason(
    running: RunningPlatform,
) -> None:
    execution = running.run(running.workflow([["TestSyncRaise"]]))
    assert execution["Status"] == "Error"
    log_file = running.platform.state.log_file

    def ending() -> list[str]:
        return [
            line for line in log_file.read_text().splitlines() if f"execution {execution['Id']} ended" in line
        ]

    lines = wait_for(ending)

    assert len(lines) == 1
    assert "ended Error: " in lines[0]
    assert "TestSyncRaise raised on purpose" in lines[0]
    assert max(len(line) for line in log_file.read_text().splitlines()) < 1000

    done = running.run(running.workflow([["TestSyncOk"]]))
    assert done["Status"] == "Complete"
    assert wait_for(lambda: f"execution {done['Id']} ended Complete" in log_file.read_text())
