"""The scheduler's promise under load: never more than MaxConcurrentWorkflows running, none lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.local.workflows.platform_client import RunningPlatform

pytestmark = pytest.mark.local

EXECUTIONS = 50
LIMIT = 3
DEADLINE_SECONDS = 300.0


@pytest.fixture
def limited(running: RunningPlatform) -> Iterator[RunningPlatform]:
    before = {item["Name"]: item["Value"] for item in running.api.call("GET", "/system/configuration")}
    running.api.set_max_concurrent_workflows(LIMIT)
    yield running
    running.api.set_max_concurrent_workflows(int(before["MaxConcurrentWorkflows"]))


def _max_overlap(intervals: list[tuple[datetime, datetime]]) -> int:
    # Ends sort before starts at the same instant: touching intervals do not overlap.
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = peak = 0
    for _, change in edges:
        running += change
        peak = max(peak, running)
    return peak


def test_fifty_executions_with_three_slots_all_finish_never_more_than_three_at_once(
    limited: RunningPlatform,
) -> None:
    workflow = limited.workflow([["TestSyncOk"]])
    seen_started: list[int] = []
    stop = threading.Event()

    def sample() -> None:  # what a user polling the API would see; bounded by `stop`
        while not stop.is_set():
            seen_started.append(len(limited.api.call("GET", "/workflow/execution/status/Started")))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        ids = [limited.api.start(workflow, limited.upload())["Id"] for _ in range(EXECUTIONS)]
        deadline = time.monotonic() + DEADLINE_SECONDS
        finals = [limited.api.wait(i, timeout=max(1.0, deadline - time.monotonic())) for i in ids]
    finally:
        stop.set()
        sampler.join(5)

    assert len(set(ids)) == EXECUTIONS
    assert [final["Status"] for final in finals] == ["Complete"] * EXECUTIONS
    assert seen_started and max(seen_started) <= LIMIT

    # From Step Functions' own start time to the moment the execution was recorded Complete: the
    # span an execution holds its slot within (the machine's last state after that uses no slot).
    sfn = limited.aws.client("stepfunctions")
    machine = limited.api.call("GET", f"/workflow/{workflow}")["StateMachineArn"]
    intervals = []
    for execution_id, final in zip(ids, finals, strict=True):
        arn = machine.replace(":stateMachine:", ":execution:") + f":{execution_id}"
        described = sfn.describe_execution(executionArn=arn)
        assert described["status"] == "SUCCEEDED"
        completed = datetime.fromisoformat(final["Modified"].replace("Z", "+00:00"))
        intervals.append((described["startDate"], completed))
    peak = _max_overlap(intervals)
    assert peak <= LIMIT
    assert peak > 1, "the executions ran one at a time: the test would not notice a broken limit"
