"""Configuration and AWS clients of the handlers that touch executions (steps, scheduler, status events).

WORKFLOW_EXECUTION_TABLE        the executions table                               required
WORKFLOW_DEFINITIONS_TABLE      definitions table (MaxConcurrentWorkflows)   scheduler, API
EXECUTION_QUEUE_URL             SQS queue of executions waiting for a slot    scheduler, API
WORKFLOW_SCHEDULER_LAMBDA_ARN   the scheduler, invoked asynchronously to admit more   optional
"""

from __future__ import annotations

import functools
import os
from typing import Any

import boto3

from api.workflow.executions.lifecycle import ExecutionLifecycle, SchedulerNudge
from api.workflow.executions.slots import ConcurrencySlots
from api.workflow.executions.store import ExecutionStore

WORKFLOW_EXECUTION_TABLE = "WORKFLOW_EXECUTION_TABLE"
WORKFLOW_DEFINITIONS_TABLE = "WORKFLOW_DEFINITIONS_TABLE"
EXECUTION_QUEUE_URL = "EXECUTION_QUEUE_URL"
WORKFLOW_SCHEDULER_LAMBDA_ARN = "WORKFLOW_SCHEDULER_LAMBDA_ARN"


class MissingSettingError(RuntimeError):
    """A required environment variable is not set: a deployment fault."""


def setting(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise MissingSettingError(f"environment variable {name} is not set")
    return value


@functools.cache
def aws_client(service: str) -> Any:
    """One client per service and container (tests clear this cache between moto contexts)."""
    return boto3.client(service)


def scheduler_nudge() -> SchedulerNudge:
    return SchedulerNudge(aws_client("lambda"), os.environ.get(WORKFLOW_SCHEDULER_LAMBDA_ARN))


def lifecycle_from_env() -> ExecutionLifecycle:
    table = setting(WORKFLOW_EXECUTION_TABLE)
    dynamodb = aws_client("dynamodb")
    store, slots = ExecutionStore(dynamodb, table), ConcurrencySlots(dynamodb, table)
    return ExecutionLifecycle(store, slots, scheduler_nudge())
