"""A workflow's state machine: its stages in sequence, then complete-workflow; any failure goes to
fail-workflow, which records the reason before the execution ends in a Fail state. Prepare media
and each complete-stage also plan the stage after them (`PlanStage` in their payload, `Plan` in their
answer), so no operator needs a filter Lambda of its own.

    Prepare media ─► stage1.run (Parallel) ─► stage1.complete ─► stage2.run ─► ... ─► Complete workflow
          │                                                                             ─► Workflow succeeded
          └──── any error (Catch, into $.Failure) ─────────► Fail workflow ─► Workflow failed
"""

from __future__ import annotations

from collections.abc import Mapping

from api.workflow.asl import Chain, Fail, JsonPath, Parallel, State, StateMachine, Succeed, Task, Template
from api.workflow.asl.errors import AslValidationError
from api.workflow.generator import contract as c
from api.workflow.generator import names
from api.workflow.generator.arns import StepFunctionArns
from api.workflow.generator.operator_branch import operator_branch
from api.workflow.generator.policies import catch_all, transient_retry
from api.workflow.models import Operation, Stage, Workflow

_WHOLE_STATE = {c.STEP_STATE: JsonPath("$")}


def _next(stage: Stage | None) -> dict[str, Template]:
    """The step payload's `PlanStage`: the stage whose `Plan` the step adds (none after the last)."""
    if stage is None:
        return {}
    return {c.STEP_PLAN_STAGE: {c.STEP_STAGE: stage.Name, c.STEP_OPERATIONS: list(stage.Operations)}}


def _stage_states(
    stage: Stage, coming: Stage | None, operations: Mapping[str, Operation], arns: StepFunctionArns
) -> tuple[Parallel, Task]:
    to_failure = catch_all(names.FAIL_WORKFLOW, f"$.{c.FAILURE}")
    run = Parallel(
        names.stage_state(stage.Name, "run"),
        branches=[
            operator_branch(stage.Name, operations[op], arns, index)
            for index, op in enumerate(stage.Operations)
        ],
        result_path=f"$.{c.OUTPUTS}",
        catch=to_failure,
    )
    complete = Task(
        names.stage_state(stage.Name, "complete"),
        resource=arns.complete_stage,
        parameters={
            c.STEP_STAGE: stage.Name,
            c.STEP_OPERATIONS: list(stage.Operations),
            **_WHOLE_STATE,
            **_next(coming),
        },
        retry=transient_retry(),
        catch=to_failure,
    )
    return run, complete


def _workflow_step(name: str, resource: str, extra: Mapping[str, Template] | None = None) -> Task:
    """A step Lambda on the whole workflow state; any failure goes to Fail workflow."""
    return Task(
        name,
        resource=resource,
        parameters={**_WHOLE_STATE, **(extra or {})},
        retry=transient_retry(),
        catch=catch_all(names.FAIL_WORKFLOW, f"$.{c.FAILURE}"),
    )


def build_machine(
    workflow: Workflow,
    stages: Mapping[str, Stage],
    operations: Mapping[str, Operation],
    arns: StepFunctionArns,
) -> StateMachine:
    """Raise ValueError naming what is missing when a stage or operation is not in the mappings."""
    order = workflow.ordered_stages()
    missing_stages = [name for name in order if name not in stages]
    if missing_stages:
        raise ValueError(f"unknown stages: {', '.join(missing_stages)}")
    missing_ops = sorted({op for name in order for op in stages[name].Operations if op not in operations})
    if missing_ops:
        raise ValueError(f"unknown operations: {', '.join(missing_ops)}")
    sequence: list[State] = [_workflow_step(names.PREPARE_MEDIA, arns.prepare_media, _next(stages[order[0]]))]
    for position, name in enumerate(order):
        coming = stages[order[position + 1]] if position + 1 < len(order) else None
        sequence.extend(_stage_states(stages[name], coming, operations, arns))
    sequence += [
        _workflow_step(names.COMPLETE_WORKFLOW, arns.complete_workflow),
        Succeed(names.WORKFLOW_SUCCEEDED),
    ]
    failure: list[State] = [
        Task(
            names.FAIL_WORKFLOW,
            resource=arns.fail_workflow,
            parameters=_WHOLE_STATE,
            retry=transient_retry(),
            next=names.WORKFLOW_FAILED,
        ),
        Fail(
            names.WORKFLOW_FAILED,
            error=c.WORKFLOW_FAILED_ERROR,
            cause="the workflow failed; its execution record holds the reason",
        ),
    ]
    return StateMachine.from_chain(
        Chain(sequence, extra=failure),
        comment=f"Medialens workflow {workflow.Name}",
        timeout_seconds=workflow.TimeoutSeconds,
    )


class WorkflowGenerator:
    """The `WorkflowCompiler` the workflow API deploys machines with."""

    def __init__(self, arns: StepFunctionArns) -> None:
        self._arns = arns

    def machine(
        self, workflow: Workflow, stages: Mapping[str, Stage], operations: Mapping[str, Operation]
    ) -> StateMachine:
        return build_machine(workflow, stages, operations, self._arns)

    def compile(
        self, workflow: Workflow, stages: Mapping[str, Stage], operations: Mapping[str, Operation]
    ) -> str:
        try:
            return self.machine(workflow, stages, operations).to_json()
        except AslValidationError as exc:
            # A definition problem (e.g. a name clash) is the caller's to fix: the API answers 400.
            raise ValueError(str(exc)) from exc
