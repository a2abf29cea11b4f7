"""Async test operators: start and monitor steps that complete, fail, or never finish.

Progress lives in the output MetaData, which the state machine hands from each step to the next, so
any worker process can run any poll.
"""

from __future__ import annotations

from typing import Any

from medialens_helper import MediaInsightsOperationHelper, Status

POLLS_KEY = "Polls"
# How many monitor polls TestAsyncOk answers Executing before Complete (Configuration override).
EXECUTING_POLLS_KEY = "ExecutingPolls"
DEFAULT_EXECUTING_POLLS = 1
MAX_EXECUTING_POLLS = 100


def _executing(helper: MediaInsightsOperationHelper) -> dict[str, Any]:
    helper.update_workflow_status(Status.Executing)
    return helper.return_output_object()


def start(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The start step of every async test operator: a job has begun, no poll seen yet."""
    helper = MediaInsightsOperationHelper(event)
    helper.add_workflow_metadata(**{POLLS_KEY: "0"})
    return _executing(helper)


def _executing_polls(helper: MediaInsightsOperationHelper) -> int:
    value = helper.configuration.get(EXECUTING_POLLS_KEY, DEFAULT_EXECUTING_POLLS)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_EXECUTING_POLLS:
        raise helper.fail(f"{EXECUTING_POLLS_KEY} must be an integer from 0 to {MAX_EXECUTING_POLLS}")
    return value


def _polls_so_far(helper: MediaInsightsOperationHelper) -> int:
    try:
        return int(helper.metadata.get(POLLS_KEY, "0"))
    except (TypeError, ValueError):
        raise helper.fail(f"monitor received an unreadable {POLLS_KEY} value") from None


def monitor_ok(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Executing for `ExecutingPolls` polls (default 1), then Complete."""
    helper = MediaInsightsOperationHelper(event)
    polls = _polls_so_far(helper) + 1
    helper.add_workflow_metadata(**{POLLS_KEY: str(polls)})
    if polls <= _executing_polls(helper):
        return _executing(helper)
    helper.update_workflow_status(Status.Complete)
    return helper.return_output_object()


def monitor_fail(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The remote job failed: MasExecutionError with the reason (`Configuration.Reason` if set)."""
    helper = MediaInsightsOperationHelper(event)
    raise helper.fail(str(helper.configuration.get("Reason", "the job failed remotely")))


def monitor_hang(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Never finishes: only the operator's or the workflow's timeout ends it."""
    return _executing(MediaInsightsOperationHelper(event))
