"""Lambda entry points of the step functions every generated machine calls (thin: parse, call, return).

api.workflow.steps.handlers.operator_filter     payload {"Operation", "State"}  (machines compiled before
                                                the stage plan; current ones build the event in a Pass)
api.workflow.steps.handlers.operator_failed     payload {"Operation", "State"}
api.workflow.steps.handlers.complete_stage      payload {"Stage", "Operations", "State", "PlanStage"?}
api.workflow.steps.handlers.complete_workflow   payload {"State"}
api.workflow.steps.handlers.fail_workflow       payload {"State"}
api.workflow.steps.handlers.prepare_media       payload {"State", "PlanStage"?}

"PlanStage" ({"Stage", "Operations"}): the stage that comes; the answer then carries its `Plan`.
"""

from __future__ import annotations

import logging
from typing import Any

from api.workflow.executions.environment import (
    WORKFLOW_EXECUTION_TABLE,
    aws_client,
    lifecycle_from_env,
    setting,
)
from api.workflow.executions.store import ExecutionStore
from api.workflow.generator import contract as c
from api.workflow.steps import complete_stage as stage_step
from api.workflow.steps import finish_workflow
from api.workflow.steps import prepare_media as media_step
from api.workflow.steps.operator_failed import operator_failed as failed_step
from api.workflow.steps.operator_filter import filter_operation, with_stage_plan

logger = logging.getLogger(__name__)


def operator_filter(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return filter_operation(event[c.STEP_OPERATION], event[c.STEP_STATE])


def operator_failed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    output = failed_step(event[c.STEP_OPERATION], event[c.STEP_STATE])
    logger.info("operator %s failed: %s", output["Name"], output["Error"])
    return output


def complete_stage(event: dict[str, Any], context: Any) -> dict[str, Any]:
    store = ExecutionStore(aws_client("dynamodb"), setting(WORKFLOW_EXECUTION_TABLE))
    stage, operations = event[c.STEP_STAGE], event[c.STEP_OPERATIONS]
    state = stage_step.complete_stage(store, stage, operations, event[c.STEP_STATE])
    return with_stage_plan(state, event.get(c.STEP_PLAN_STAGE)) if c.STEP_PLAN_STAGE in event else state


def prepare_media(event: dict[str, Any], context: Any) -> dict[str, Any]:
    state = media_step.prepare_media(aws_client("s3"), event[c.STEP_STATE])
    return with_stage_plan(state, event.get(c.STEP_PLAN_STAGE)) if c.STEP_PLAN_STAGE in event else state


def complete_workflow(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return finish_workflow.complete_workflow(lifecycle_from_env(), event[c.STEP_STATE])


def fail_workflow(event: dict[str, Any], context: Any) -> dict[str, Any]:
    result = finish_workflow.fail_workflow(lifecycle_from_env(), event[c.STEP_STATE])
    logger.info("execution %s failed: %s", result[c.EXECUTION_ID], result["Error"])
    return result
