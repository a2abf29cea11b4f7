"""The scheduler's periodic reconciliation: slots held by nothing, or by executions that no longer run.

Runs on moto with the Pass stand-in compiler; moto keeps its executions RUNNING unless told to
execute them, and `holds` keeps an executed one running.
"""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
from moto.core.config import default_user_config

from api.workflow.executions import ExecutionLifecycle, SchedulerNudge
from api.workflow.executions.schema import COUNTER_ID, ID
from api.workflow.scheduler import handler as scheduler
from api.workflow.scheduler.reconcile import (
    NEVER_STARTED_GRACE_SECONDS,
    NEVER_STARTED_REASON,
    SUCCEEDED_UNRECORDED_REASON,
    Reconciler,
)
from api.workflow.status_events.handler import reason_for
from medialens.deployment import SCHEDULED_EVENT
from tests.functional.workflow.execution_fixtures import EXECUTIONS, Executions, executions
from tests.functional.workflow.workflow_helpers import REGION, chain
from tests.support.waiting import wait_until

__all__ = ["executions"]  # the fixture, imported for pytest


def _lifecycle(executions: Executions) -> ExecutionLifecycle:
    return ExecutionLifecycle(executions.store, executions.slots, SchedulerNudge(None, None))


def _set_count(running: int) -> None:
    boto3.client("dynamodb", region_name=REGION).put_item(
        TableName=EXECUTIONS, Item={ID: {"S": COUNTER_ID}, "Running": {"N": str(running)}}
    )


def _cap(executions: Executions, value: int) -> None:
    executions.api.ok(
        "POST", "/system/configuration", body={"Name": "MaxConcurrentWorkflows", "Value": value}
    )


def _held_workflow(executions: Executions) -> None:
    executions.api.compiler.holds["Held"] = 30
    executions.api.ok("POST", "/workflow", body=chain("Held", "Detect"))


def test_a_slot_held_by_nothing_is_freed_by_the_periodic_run(executions: Executions) -> None:
    _cap(executions, 1)
    _set_count(1)  # e.g. left by a crash: the count says 1, no execution is Started
    submitted = executions.submit()
    assert scheduler.lambda_handler({}, None)["no-slot"] == 1  # a nudge does not reconcile
    answer = scheduler.lambda_handler(SCHEDULED_EVENT, None)
    assert answer["reconciled"] == {"ended": 0, "recounted": -1}
    assert answer["started"] == 1
    assert executions.store.get(submitted["Id"])["Status"] == "Started"  # type: ignore[index]
    assert executions.slots.running() == 1


def test_an_uncounted_started_execution_is_counted_again(executions: Executions) -> None:
    _held_workflow(executions)
    _cap(executions, 2)
    executions.submit(workflow="Held")
    assert scheduler.lambda_handler({}, None)["started"] == 1
    _set_count(0)
    assert Reconciler(_lifecycle(executions), executions.api.sfn).recount() == 1
    assert executions.slots.running() == 1


def test_started_execution_whose_machine_was_stopped_ends_and_frees_its_slot(executions: Executions) -> None:
    _held_workflow(executions)
    _cap(executions, 1)
    first = executions.submit(workflow="Held", key="upload/a.mp4")
    second = executions.submit(workflow="Held", key="upload/b.mp4")
    assert scheduler.lambda_handler({}, None)["started"] == 1
    record = executions.store.get(first["Id"])
    assert record is not None and record["Status"] == "Started"
    # Stopped behind the platform's back, and its status-change event never arrives.
    executions.api.sfn.stop_execution(executionArn=record["ExecutionArn"], error="Manual", cause="by hand")
    deadline = time.monotonic() + 10  # the interpreter's thread records the stop: wait until it has
    while executions.api.sfn.describe_execution(executionArn=record["ExecutionArn"])["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the stopped execution still runs"
        time.sleep(0.05)
    answer = scheduler.lambda_handler(SCHEDULED_EVENT, None)
    assert answer["reconciled"]["ended"] == 1 and answer["started"] == 1
    ended = executions.store.get(first["Id"])
    described = executions.api.sfn.describe_execution(executionArn=record["ExecutionArn"])
    assert ended is not None and ended["Status"] == "Cancelled" and ended["Error"] == reason_for(described)
    assert executions.store.get(second["Id"])["Status"] == "Started"  # type: ignore[index]
    assert executions.slots.running() == 1


@pytest.fixture
def executing(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto runs the machines for real (set before the mock starts)."""
    monkeypatch.setitem(default_user_config["stepfunctions"], "execute_state_machine", True)


def test_started_execution_whose_machine_succeeded_without_recording_ends_in_error(
    executing: None, executions: Executions
) -> None:
    # The Pass stand-in succeeds at once and records nothing.
    submitted = executions.submit()
    counts = scheduler.lambda_handler({}, None)
    record = executions.store.get(submitted["Id"])
    assert counts["started"] == 1, record and record.get("Error")
    assert record is not None
    arn = record["ExecutionArn"]
    wait_until(
        lambda: executions.api.sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED",
        timeout=10,
    )
    answer = scheduler.lambda_handler(SCHEDULED_EVENT, None)
    assert answer["reconciled"] == {"ended": 1, "recounted": 0}
    record = executions.store.get(submitted["Id"])
    assert (
        record is not None and record["Status"] == "Error" and record["Error"] == SUCCEEDED_UNRECORDED_REASON
    )
    assert executions.slots.running() == 0


def test_started_execution_without_a_machine_ends_only_after_the_grace(executions: Executions) -> None:
    submitted = executions.submit()
    lifecycle = _lifecycle(executions)
    assert lifecycle.start(submitted["Id"], 5).value == "started"  # Started, StartExecution never came
    now = time.time()
    early = Reconciler(lifecycle, executions.api.sfn, clock=lambda: now)
    assert early.run() == {"ended": 0, "recounted": 0}
    late = Reconciler(lifecycle, executions.api.sfn, clock=lambda: now + NEVER_STARTED_GRACE_SECONDS + 1)
    assert late.run() == {"ended": 1, "recounted": 0}
    record = executions.store.get(submitted["Id"])
    assert record is not None and record["Error"] == NEVER_STARTED_REASON
    assert executions.slots.running() == 0


def test_recount_is_refused_when_a_slot_changed_hands_meanwhile(executions: Executions) -> None:
    submitted = executions.submit()
    _set_count(3)
    running, version = executions.slots.read()
    assert _lifecycle(executions).start(submitted["Id"], 5).value == "started"  # a transaction in between
    assert executions.slots.recount(0, version) is False
    assert executions.slots.read()[0] == running + 1


def test_a_scheduled_run_survives_a_failing_reconciliation(executions: Executions, monkeypatch: Any) -> None:
    def broken(self: Reconciler) -> dict[str, int]:
        raise RuntimeError("describe failed")

    monkeypatch.setattr(Reconciler, "run", broken)
    executions.submit()
    answer = scheduler.lambda_handler(SCHEDULED_EVENT, None)
    assert answer["started"] == 1 and "reconciled" not in answer
