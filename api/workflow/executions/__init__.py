"""Workflow executions: the record store, the concurrency slots, and how an execution ends."""

from api.workflow.executions.lifecycle import ExecutionLifecycle, SchedulerNudge
from api.workflow.executions.schema import ExecutionStatus, table_definition
from api.workflow.executions.slots import ConcurrencySlots
from api.workflow.executions.store import ExecutionStore, OperatorOutcome

__all__ = [
    "ConcurrencySlots",
    "ExecutionLifecycle",
    "ExecutionStatus",
    "ExecutionStore",
    "OperatorOutcome",
    "SchedulerNudge",
    "table_definition",
]
