"""The complete-stage step: record each operator's outcome, merge outputs, fail the stage on errors.

Every operator's whole output is stored in the execution record (one item each); only the merged
`Media` and `MetaData` go on in the state, so large outputs never ride along to the next stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from medialens_helper.status import Status

from api.workflow.executions.store import ExecutionStore, OperatorOutcome
from api.workflow.generator import contract as c
from api.workflow.steps.failure_reason import operator_message


class StageFailedError(Exception):
    """One or more operators of a stage failed; the message names each with its reason."""


def outcome_of(name: str, output: Any) -> OperatorOutcome:
    if not isinstance(output, dict):
        return OperatorOutcome(name, Status.Error.value, "the operator returned no output object", output)
    status = output.get("Status")
    if status == Status.Error.value:
        message = operator_message(output, name) or "the operator returned status Error"
        return OperatorOutcome(name, Status.Error.value, message, output)
    if status == Status.Skipped.value:
        reason = (output.get("MetaData") or {}).get("SkipReason")
        return OperatorOutcome(name, Status.Skipped.value, reason, output)
    if status not in {member.value for member in Status}:
        message = f"the operator returned an unknown status {status!r}"
        return OperatorOutcome(name, Status.Error.value, message, output)
    # Complete, or an operator that never updated its Started status: it returned, so it finished.
    return OperatorOutcome(name, Status.Complete.value, None, output)


def merge(base: dict[str, Any], outcomes: Sequence[OperatorOutcome]) -> dict[str, Any]:
    """The next stage's `Input`: the previous one plus each completed operator's Media and MetaData."""
    media = dict(base.get("Media") or {})
    metadata = dict(base.get("MetaData") or {})
    for outcome in outcomes:
        if outcome.status == Status.Complete.value and isinstance(outcome.output, dict):
            media.update(outcome.output.get("Media") or {})
            metadata.update(outcome.output.get("MetaData") or {})
    return {"Media": media, "MetaData": metadata}


def complete_stage(
    store: ExecutionStore, stage: str, operations: Sequence[str], state: dict[str, Any]
) -> dict[str, Any]:
    outputs = state.get(c.OUTPUTS) or []
    outcomes = [
        outcome_of(name, outputs[index] if index < len(outputs) else None)
        for index, name in enumerate(operations)
    ]
    failed = [outcome for outcome in outcomes if outcome.status == Status.Error.value]
    stage_status = Status.Error.value if failed else Status.Complete.value
    store.record_stage(state[c.EXECUTION_ID], stage, stage_status, outcomes)
    if failed:
        reasons = "; ".join(f"{outcome.name}: {outcome.message}" for outcome in failed)
        raise StageFailedError(f"stage {stage} failed: {reasons}")
    next_state = {key: value for key, value in state.items() if key not in (c.OUTPUTS, c.FAILURE, c.PLAN)}
    next_state[c.INPUT] = merge(state.get(c.INPUT) or {}, outcomes)
    return next_state
