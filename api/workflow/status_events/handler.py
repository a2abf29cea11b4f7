"""Lambda entry point: `api.workflow.status_events.handler.lambda_handler`.

Target of an EventBridge rule on `aws.states` "Step Functions Execution Status Change" events with
status FAILED, TIMED_OUT or ABORTED (on AWS the rule is filtered to this platform's state machines;
here the record's own StateMachineArn is checked too). A machine that failed through its own
fail-workflow step has already ended its record, so the guarded transition makes this a no-op;
otherwise (timeout, stop, history limit, a crashed step) the record ends here with the reason and
its slot is released, exactly once.
"""

from __future__ import annotations

import logging
from typing import Any

from api.workflow.executions import environment as env
from api.workflow.executions.lifecycle import ExecutionLifecycle
from api.workflow.executions.schema import ExecutionStatus
from api.workflow.status_events.interrupted import record_interrupted_stage

logger = logging.getLogger(__name__)

ENDINGS = {
    "FAILED": (ExecutionStatus.ERROR, "failed"),
    "TIMED_OUT": (ExecutionStatus.ERROR, "timed out"),
    "ABORTED": (ExecutionStatus.CANCELLED, "aborted"),
}


# Endings that cut a running stage short (a FAILED machine records its failing stage itself).
INTERRUPTIONS = {"TIMED_OUT": "timed out: the TimeoutSeconds of the workflow ran out", "ABORTED": "stopped"}


def reason_for(detail: dict[str, Any]) -> str:
    default = ENDINGS[detail["status"]][1]
    error, cause = detail.get("error"), detail.get("cause")
    if detail["status"] == "TIMED_OUT":
        return "the workflow timed out"
    parts = [str(part) for part in (error, cause) if part]
    return ": ".join(parts) if parts else f"the state machine execution {default}"


def handle_status_change(lifecycle: ExecutionLifecycle, event: dict[str, Any]) -> dict[str, Any]:
    detail = event.get("detail") or {}
    status = detail.get("status")
    execution_id = detail.get("name")
    if status not in ENDINGS or not execution_id:
        return {"Handled": False, "Reason": f"not an ending status: {status}"}
    record = lifecycle.store.get(execution_id)
    if record is None or record.get("StateMachineArn") != detail.get("stateMachineArn"):
        return {"Handled": False, "Reason": "not an execution of this platform"}
    reason = reason_for(detail)
    if status in INTERRUPTIONS and record.get("ExecutionArn"):
        # Before the record ends, so a client that sees it ended also sees how the stage ended.
        # A stage already recorded (e.g. by a cancel) is left as it is.
        record_interrupted_stage(lifecycle.store, record, INTERRUPTIONS[status])
    ended = lifecycle.finish(execution_id, ENDINGS[status][0], reason)
    if ended:
        logger.info("execution %s ended by Step Functions (%s): %s", execution_id, status, reason)
    return {"Handled": ended, "ExecutionId": execution_id, "Status": status}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle_status_change(env.lifecycle_from_env(), event)
