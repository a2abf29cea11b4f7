"""The last steps of a machine: complete-workflow and fail-workflow (record, release, nudge)."""

from __future__ import annotations

from typing import Any

from api.workflow.executions.lifecycle import ExecutionLifecycle
from api.workflow.executions.schema import ExecutionStatus
from api.workflow.generator import contract as c
from api.workflow.steps.failure_reason import reason_from_failure


def complete_workflow(lifecycle: ExecutionLifecycle, state: dict[str, Any]) -> dict[str, Any]:
    execution_id = state[c.EXECUTION_ID]
    ended = lifecycle.finish(execution_id, ExecutionStatus.COMPLETE)
    record = lifecycle.store.get(execution_id) or {}
    # Ends in an object, small: the results are in the execution record and the dataplane.
    return {
        c.EXECUTION_ID: execution_id,
        "Status": record.get("Status", ExecutionStatus.COMPLETE.value),
        "Recorded": ended,
    }


def fail_workflow(lifecycle: ExecutionLifecycle, state: dict[str, Any]) -> dict[str, Any]:
    execution_id = state[c.EXECUTION_ID]
    reason, _ = reason_from_failure(state.get(c.FAILURE))
    # "StageFailedError: stage S failed: Op: reason" reads better without the class name.
    reason = reason.removeprefix("StageFailedError: ")
    ended = lifecycle.finish(execution_id, ExecutionStatus.ERROR, reason)
    status = ExecutionStatus.ERROR.value
    return {c.EXECUTION_ID: execution_id, "Status": status, "Error": reason, "Recorded": ended}
