"""What the workflow API accepts, the platform can run: an execution at its size limits completes.

Before the limits, a request of 260-390 KB was accepted and its execution then failed inside
Step Functions (its input is limited to 256 KiB) with an internal message, and one of 600 KB was
a 500 that left an asset behind. Now the body (64 KiB) and the merged Configuration (32 KiB) are
bounded, and the largest accepted execution runs through stages of several operators.
"""

from __future__ import annotations

import json

import pytest
from medialens_helper.workflow_client import WorkflowApiCallError

from api.workflow.services.execution_requests import MAX_CONFIGURATION_BYTES
from tests.local.workflows.platform_client import WAIT_SECONDS, RunningPlatform

pytestmark = pytest.mark.local

STAGES = [["TestSyncOk", "TestAsyncOk"], ["TestMieStyle", "TestSyncOk"]]


def _configuration(workflow: str, total_bytes: int) -> dict[str, dict[str, dict[str, str]]]:
    """Every operator of every stage gets an equal share of about `total_bytes` of padding."""
    operators = sum(len(stage) for stage in STAGES)
    share = total_bytes // operators
    return {
        f"{workflow}s{index}": {name: {"Notes": "x" * share} for name in stage}
        for index, stage in enumerate(STAGES)
    }


def _stored(running: RunningPlatform) -> tuple[int, list[str]]:
    """Objects under the dataplane's assets, and the newest page of executions (newest first)."""
    listing = running.aws.client("s3").list_objects_v2(
        Bucket=running.endpoints.dataplane_bucket, Prefix="private/assets/"
    )
    newest = [execution["Id"] for execution in running.api.call("GET", "/workflow/execution")]
    return int(listing.get("KeyCount", 0)), newest


def test_the_largest_configuration_accepted_runs_to_complete(running: RunningPlatform) -> None:
    workflow = running.workflow(STAGES)
    configuration = _configuration(workflow, MAX_CONFIGURATION_BYTES - 2048)
    assert len(json.dumps(configuration)) > MAX_CONFIGURATION_BYTES - 4096
    submitted = running.api.start(workflow, running.upload(), Configuration=configuration)
    execution = running.api.wait(submitted["Id"], timeout=WAIT_SECONDS, poll_seconds=0.2)
    assert execution["Status"] == "Complete", execution.get("Error")


@pytest.mark.parametrize(("padding", "status"), [(MAX_CONFIGURATION_BYTES, 400), (600_000, 413)])
def test_a_request_over_a_limit_is_refused_and_creates_nothing(
    running: RunningPlatform, padding: int, status: int
) -> None:
    workflow = running.workflow(STAGES)
    media = running.upload()
    before = _stored(running)
    with pytest.raises(WorkflowApiCallError) as refused:
        running.api.start(workflow, media, Configuration=_configuration(workflow, padding))
    assert refused.value.status_code == status
    assert "the limit is" in str(refused.value)
    assert _stored(running) == before
