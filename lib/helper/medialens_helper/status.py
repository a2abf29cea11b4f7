"""Status values of workflows, stages and operations.

`Status` is a `StrEnum`, so a member compares equal to its plain string ("Complete") and
serialises as one; MIE operators that pass bare strings keep working. MIE's class constants
(`Status.OPERATION_STATUS_COMPLETE` ...) are kept as aliases of the members.
"""

from __future__ import annotations

from enum import StrEnum, nonmember


class Status(StrEnum):
    """The status of a workflow execution, a stage or an operation."""

    Queued = "Queued"
    Started = "Started"
    Executing = "Executing"
    Complete = "Complete"
    Error = "Error"
    Skipped = "Skipped"
    # Not in MIE: a Medialens addition for executions that wait (e.g. on a callback).
    Waiting = "Waiting"

    # MIE's names. Same values, so these are aliases and do not add members.
    WORKFLOW_STATUS_QUEUED = "Queued"
    WORKFLOW_STATUS_STARTED = "Started"
    WORKFLOW_STATUS_ERROR = "Error"
    WORKFLOW_STATUS_COMPLETE = "Complete"
    STAGE_STATUS_STARTED = "Started"
    STAGE_STATUS_EXECUTING = "Executing"
    STAGE_STATUS_ERROR = "Error"
    STAGE_STATUS_COMPLETE = "Complete"
    OPERATION_STATUS_STARTED = "Started"
    OPERATION_STATUS_EXECUTING = "Executing"
    OPERATION_STATUS_ERROR = "Error"
    OPERATION_STATUS_COMPLETE = "Complete"
    OPERATION_STATUS_SKIPPED = "Skipped"
    # MIE marked stages and operations that had not run yet as "Not Started". An operator never
    # reports it, so it stays a plain string rather than a member operators could set.
    STAGE_STATUS_NOT_STARTED = nonmember("Not Started")
    OPERATION_STATUS_NOT_STARTED = nonmember("Not Started")


def parse_status(value: str) -> Status:
    """`value` as a `Status`; `ValueError` naming the accepted values otherwise."""
    try:
        return Status(value)
    except ValueError:
        allowed = ", ".join(member.value for member in Status)
        raise ValueError(f"unknown status {value!r}; expected one of: {allowed}") from None
