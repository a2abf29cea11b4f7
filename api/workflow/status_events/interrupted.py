"""The stage a machine was running when Step Functions ended it (timeout, stop): shown as ended.

Stages record their operators' outcomes only when they complete, so without this an operator that
was running when the workflow's `TimeoutSeconds` ran out would still read `Not Started`.
"""

from __future__ import annotations

from typing import Any

from api.workflow.executions.store import ExecutionStore, OperatorOutcome

NOT_STARTED = "Not Started"
INTERRUPTED_STATUS = "Error"


def running_stage(record: dict[str, Any]) -> dict[str, Any] | None:
    """The first stage that has not completed: the one the machine was in (stages run in sequence)."""
    statuses = record.get("StageStatus", {})
    for stage in record.get("Stages", []):
        if statuses.get(stage["Name"], NOT_STARTED) == NOT_STARTED:
            return dict(stage)
    return None


def record_interrupted_stage(store: ExecutionStore, record: dict[str, Any], why: str) -> str | None:
    """Mark the running stage and its unfinished operators `Error` with a message saying `why`.

    Operators that already have an outcome keep it. Returns the stage's name, or None when no
    stage was running (all complete, or the execution never started).
    """
    stage = running_stage(record)
    if stage is None:
        return None
    recorded = store.operator_outcomes(record).get(stage["Name"], {})
    message = f"{why} while stage {stage['Name']} was running"
    outcomes = [
        OperatorOutcome(name=op, status=INTERRUPTED_STATUS, message=message)
        for op in stage["Operations"]
        if op not in recorded
    ]
    store.record_stage(record["Id"], stage["Name"], INTERRUPTED_STATUS, outcomes)
    return str(stage["Name"])
