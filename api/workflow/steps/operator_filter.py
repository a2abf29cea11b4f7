"""The filter rules: the operator's MIE event, `Skipped` when it must not run, and its poll budget.

An operation is skipped when its configuration has `Enabled: false`, or when its `MediaType` is
not among the input's media (`MetadataOnly` operators read only upstream metadata and always run),
as MIE's filter did. Skipped counts as success.

Generated machines apply the rules to a whole stage at once (`with_stage_plan`, run by the step
before the stage, which the machine calls anyway); `filter_operation` is the per-operator filter
Lambda that machines compiled before that still call.
"""

from __future__ import annotations

from typing import Any

from medialens_helper.status import Status

from api.workflow.generator import contract as c
from api.workflow.models import MediaType

MAX_ROUNDS = 100_000  # far beyond any sane timeout; keeps the counter finite for a zero wait


class MissingConfigurationError(Exception):
    """The execution input has no configuration for this operator (the API always sets one)."""


def _positive_int(value: Any, default: int, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        return default
    return int(value)


def poll_plan(timeout_seconds: int, base: int, cap: int) -> dict[str, Any]:
    """Waits double from `base` up to `cap`; rounds = monitor calls that fit in `timeout_seconds`.

    Simulates the machine's own rule (double while `RampLeft > 0`, then wait `cap`), so the budget
    and the waits cannot drift apart.
    """
    cap = max(cap, base)
    ramp = 0
    wait = base
    while 0 < wait < cap:
        ramp += 1
        wait *= 2
    rounds, elapsed, wait, ramp_left = 0, 0, base, ramp
    while elapsed < timeout_seconds and rounds < MAX_ROUNDS:
        step = wait if ramp_left > 0 else cap
        elapsed += max(step, 1)  # each round costs at least the monitor call itself
        rounds += 1
        if ramp_left > 0:
            wait, ramp_left = wait * 2, ramp_left - 1
    return {
        c.WAIT_SECONDS: base,
        c.MAX_WAIT_SECONDS: cap,
        c.RAMP_LEFT: ramp,
        c.ROUNDS_LEFT: rounds,
        c.TIMEOUT_SECONDS: timeout_seconds,
    }


def skip_reason(configuration: dict[str, Any], media: dict[str, Any]) -> str | None:
    if configuration.get("Enabled") is False:
        return "disabled"
    media_type = configuration.get("MediaType")
    if media_type == MediaType.METADATA_ONLY.value or media_type is None:
        return None
    if media_type not in media:
        return f"no {media_type} in the input media"
    return None


def filter_operation(operation: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    name, stage = operation["Name"], operation["Stage"]
    configuration = (state.get(c.CONFIGURATION) or {}).get(stage, {}).get(name)
    if not isinstance(configuration, dict):
        raise MissingConfigurationError(f"no configuration for operator {name} of stage {stage}")
    workflow_input = state.get(c.INPUT) or {}
    media = workflow_input.get("Media") or {}
    reason = skip_reason(configuration, media)
    event = {
        "Name": name,
        "AssetId": state[c.ASSET_ID],
        "WorkflowExecutionId": state[c.EXECUTION_ID],
        "Input": {"Media": media, "MetaData": workflow_input.get("MetaData") or {}},
        "Configuration": configuration,
        "Status": (Status.Skipped if reason else Status.Started).value,
        "MetaData": {"SkipReason": reason} if reason else {},
        "Media": {},
    }
    settings = state.get(c.SETTINGS) or {}
    timeout = _positive_int(configuration.get(c.OPERATOR_TIMEOUT_KEY), c.DEFAULT_OPERATOR_TIMEOUT_SECONDS)
    plan = poll_plan(
        timeout,
        _positive_int(settings.get(c.WAIT_BASE_SETTING), c.DEFAULT_WAIT_BASE_SECONDS, minimum=0),
        _positive_int(settings.get(c.WAIT_MAX_SETTING), c.DEFAULT_WAIT_MAX_SECONDS, minimum=0),
    )
    plan[c.TIMEOUT_MESSAGE] = f"{name} timed out after {timeout} s"
    return {c.EVENT: event, c.POLL: plan}


def stage_plan(stage: str, operations: list[str], state: dict[str, Any]) -> dict[str, Any]:
    """`{plan_key(i): {"Configuration", "Status", "MetaData", "Poll"}}` for the i-th operation; the
    branch builds the rest of the MIE event (`Name`, `AssetId`, `Input`, ...) from the state.

    Raises MissingConfigurationError for an operation the state has no configuration for."""
    plan = {}
    for index, name in enumerate(operations):
        filtered = filter_operation({"Name": name, "Stage": stage}, state)
        event = filtered[c.EVENT]
        plan[c.plan_key(index)] = {
            "Configuration": event["Configuration"],
            "Status": event["Status"],
            "MetaData": event["MetaData"],
            c.POLL: filtered[c.POLL],
        }
    return plan


def with_stage_plan(state: dict[str, Any], coming: dict[str, Any] | None) -> dict[str, Any]:
    """`state` with the `Plan` of the `coming` stage (`{"Stage", "Operations"}`), or without any
    `Plan` when no stage comes; `Input` always has `Media` and `MetaData` (the branches read both)."""
    planned = {key: value for key, value in state.items() if key != c.PLAN}
    workflow_input = dict(planned.get(c.INPUT) or {})
    workflow_input["Media"] = workflow_input.get("Media") or {}
    workflow_input["MetaData"] = workflow_input.get("MetaData") or {}
    planned[c.INPUT] = workflow_input
    if coming:
        planned[c.PLAN] = stage_plan(coming["Stage"], list(coming["Operations"]), planned)
    return planned
