"""One Parallel branch per operation: filter, run (Sync) or start/wait/monitor (Async), end.

The filter is a Pass: it builds the operator's MIE event and poll plan from the state and the
stage's ``Plan`` entry of the branch (``Branch{index}``), which the step before the stage wrote.

    filter ─► skip? ──Skipped──────────────────────────────────────────────► end (output $.Event)
                 └─► execute | start ─► check ─┬─ no Status / done ─────────► end
                                               ├─ Error ─────► failed ──────► end
                                               ├─ Executing, no rounds left ► timeout ─► failed
                                               ├─ Executing, wait at cap ───► wait-max ─► tick ─┐
                                               └─ Executing ────────────────► wait ─► ramp ─────┤
                                          check ◄─ monitor ◄────────────────────────────────────┘
    any Task error (retried only if transient) ─► failed

The wait doubles from ``WaitBaseSeconds`` up to ``WaitMaxSeconds`` (both from the filter, which
also turns the operator's ``TimeoutSeconds`` into a number of monitor rounds); a round at the cap
costs 11 history events (see docs/state-machines.md).
"""

from __future__ import annotations

from medialens_helper.status import Status

from api.engines.machine import async_engine_states, chunk_engine_states
from api.workflow.asl import (
    And,
    Chain,
    Choice,
    ChoiceRule,
    Condition,
    Intrinsic,
    IsPresent,
    JsonPath,
    Not,
    NumericLessThanEquals,
    Pass,
    State,
    StringEquals,
    Succeed,
    Task,
    Template,
    Wait,
)
from api.workflow.generator import contract as c
from api.workflow.generator.arns import StepFunctionArns
from api.workflow.generator.names import operator_state
from api.workflow.generator.policies import catch_all, transient_retry
from api.workflow.models import Operation, OperationType

_STATUS = f"$.{c.EVENT}.Status"
_POLL = f"$.{c.POLL}"


def _has_status(status: Status, *more: Condition) -> Condition:
    return And(StringEquals(_STATUS, status.value), *more)


def _poll(**changes: JsonPath | Intrinsic) -> dict[str, JsonPath | Intrinsic]:
    """The Poll object copied field by field (ASL has no update-in-place), with ``changes``."""
    fields: dict[str, JsonPath | Intrinsic] = {key: JsonPath(f"{_POLL}.{key}") for key in c.POLL_FIELDS}
    fields.update(changes)
    return fields


def _decrement(key: str) -> Intrinsic:
    return Intrinsic(f"States.MathAdd({_POLL}.{key}, -1)")


def _filter(name: str, op: str, index: int) -> Pass:
    """The branch's first state: `{"Event": <MIE operator event>, "Poll": {...}}` from the state."""
    plan = f"$.{c.PLAN}.{c.plan_key(index)}"
    event: dict[str, Template] = {
        "Name": op,
        "AssetId": JsonPath(f"$.{c.ASSET_ID}"),
        "WorkflowExecutionId": JsonPath(f"$.{c.EXECUTION_ID}"),
        "Input": {"Media": JsonPath(f"$.{c.INPUT}.Media"), "MetaData": JsonPath(f"$.{c.INPUT}.MetaData")},
        "Configuration": JsonPath(f"{plan}.Configuration"),
        "Status": JsonPath(f"{plan}.Status"),
        "MetaData": JsonPath(f"{plan}.MetaData"),
        "Media": {},
    }
    return Pass(name, parameters={c.EVENT: event, c.POLL: JsonPath(f"{plan}.{c.POLL}")})


def operator_branch(stage: str, operation: Operation, arns: StepFunctionArns, index: int) -> Chain:
    """The branch of `operation`, the `index`-th of its stage (its entry in the stage's Plan)."""
    op = operation.Name

    def name(step: str) -> str:
        return operator_state(stage, op, step)

    step_payload: dict[str, Template] = {
        c.STEP_OPERATION: {"Name": op, "Stage": stage, "Type": operation.Type.value},
        c.STEP_STATE: JsonPath("$"),
    }
    failed_catch = catch_all(name("failed"), f"$.{c.FAILURE}")
    # An engine operation waits on a callback, not the monitor loop: its branch is shaped like a Sync one.
    is_async = operation.Type is OperationType.ASYNC and operation.Engine is None
    first_call = name("start") if is_async else name("execute")
    engine_states: list[State] = []
    if operation.Engine is not None:
        states_of = chunk_engine_states if operation.Type is OperationType.SYNC else async_engine_states
        first_call, engine_states = states_of(
            operation.Engine, arns, name, catch=failed_catch, then=name("check")
        )

    def operator_task(step: str, resource: str, next_state: str) -> Task:
        # The operator gets the MIE event; its output replaces it, the Poll counters stay.
        return Task(
            name(step),
            resource=resource,
            input_path=f"$.{c.EVENT}",
            result_path=f"$.{c.EVENT}",
            retry=transient_retry(),
            catch=failed_catch,
            next=next_state,
        )

    filter_state = _filter(name("filter"), op, index)
    skip = Choice(
        name("skip?"),
        choices=[ChoiceRule(StringEquals(_STATUS, Status.Skipped.value), next=name("end"))],
        default=first_call,
    )
    # Rules run in order; the first makes the later comparisons safe on a malformed output.
    rules = [
        ChoiceRule(Not(IsPresent(_STATUS)), next=name("end")),
        ChoiceRule(_has_status(Status.Error), next=name("failed")),
    ]
    states: list[State] = []
    if is_async:
        start_arn, monitor_arn = operation.StartLambdaArn, operation.MonitorLambdaArn
        assert start_arn is not None and monitor_arn is not None  # the model requires them for Async
        executing = Status.Executing
        rules += [
            ChoiceRule(
                _has_status(executing, NumericLessThanEquals(f"{_POLL}.{c.ROUNDS_LEFT}", 0)),
                next=name("timeout"),
            ),
            ChoiceRule(
                _has_status(executing, NumericLessThanEquals(f"{_POLL}.{c.RAMP_LEFT}", 0)),
                next=name("wait-max"),
            ),
            ChoiceRule(_has_status(executing), next=name("wait")),
        ]
        states += [
            operator_task("start", start_arn, name("check")),
            Wait(name("wait"), seconds_path=f"{_POLL}.{c.WAIT_SECONDS}", next=name("ramp")),
            Pass(
                name("ramp"),
                parameters=_poll(
                    **{
                        c.WAIT_SECONDS: Intrinsic(
                            f"States.MathAdd({_POLL}.{c.WAIT_SECONDS}, {_POLL}.{c.WAIT_SECONDS})"
                        ),
                        c.RAMP_LEFT: _decrement(c.RAMP_LEFT),
                        c.ROUNDS_LEFT: _decrement(c.ROUNDS_LEFT),
                    }
                ),
                result_path=_POLL,
                next=name("monitor"),
            ),
            Wait(name("wait-max"), seconds_path=f"{_POLL}.{c.MAX_WAIT_SECONDS}", next=name("tick")),
            Pass(
                name("tick"),
                parameters=_poll(**{c.ROUNDS_LEFT: _decrement(c.ROUNDS_LEFT)}),
                result_path=_POLL,
                next=name("monitor"),
            ),
            operator_task("monitor", monitor_arn, name("check")),
            Pass(
                name("timeout"),
                parameters={
                    "Error": c.OPERATOR_TIMED_OUT_ERROR,
                    "Cause": JsonPath(f"{_POLL}.{c.TIMEOUT_MESSAGE}"),
                },
                result_path=f"$.{c.FAILURE}",
                next=name("failed"),
            ),
        ]
    elif engine_states:
        states += engine_states
    else:
        assert operation.StartLambdaArn is not None  # the model requires it without an Engine
        states.append(operator_task("execute", operation.StartLambdaArn, name("check")))
    check = Choice(name("check"), choices=rules, default=name("end"))
    failed = Task(
        name("failed"),
        resource=arns.operator_failed,
        parameters=step_payload,
        result_path=f"$.{c.EVENT}",
        retry=transient_retry(),
        next=name("end"),
    )
    end = Succeed(name("end"), output_path=f"$.{c.EVENT}")
    return Chain([filter_state, skip], extra=[*states, check, failed, end])
