"""The history budget in docs/state-machines.md, derived again from a compiled machine and the defaults.

Each figure of the doc's table is recomputed here from what the generator emits (the states one
monitor round visits) and from the code's defaults (`contract`, the filter's poll plan), so a change
to either fails this test until the doc says the same.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from api.workflow.generator import StepFunctionArns, WorkflowGenerator
from api.workflow.generator import contract as c
from api.workflow.generator.names import operator_state, stage_state
from api.workflow.models import Operation, Stage, Workflow
from api.workflow.steps.operator_filter import filter_operation

DOC = Path(__file__).resolve().parents[3] / "docs" / "state-machines.md"
FN = "arn:aws:lambda:us-east-1:123456789012:function:"
ARNS = StepFunctionArns(*(FN + name for name in ("filter", "failed", "stage", "done", "fail", "media")))
STAGE, OPERATOR = "Speech", "Transcribe"

HISTORY_LIMIT = 25_000  # events in one Standard execution's history
HOUR = 3600
# History events each state writes when it runs once without error. A Task whose Resource is a
# Lambda function ARN: TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted,
# LambdaFunctionSucceeded, TaskStateExited. A Parallel: Entered, Started, Succeeded, Exited.
EVENTS_PER_STATE = {"Task": 5, "Wait": 2, "Pass": 2, "Choice": 2, "Succeed": 2, "Parallel": 4}
EXECUTION_EVENTS = 2  # ExecutionStarted, ExecutionSucceeded


def _machine() -> dict[str, Any]:
    operation = Operation.model_validate(
        {
            "Name": OPERATOR,
            "Type": "Async",
            "Configuration": {"MediaType": "Audio", "Enabled": True},
            "StartLambdaArn": FN + "start",
            "MonitorLambdaArn": FN + "monitor",
        }
    )
    workflow = Workflow.model_validate({"Name": "W", "StartAt": STAGE, "Stages": {STAGE: {"End": True}}})
    stages = {STAGE: Stage(Name=STAGE, Operations=[OPERATOR])}
    definition: dict[str, Any] = json.loads(
        WorkflowGenerator(ARNS).compile(workflow, stages, {OPERATOR: operation})
    )
    return definition


def _branch(machine: dict[str, Any]) -> dict[str, Any]:
    [branch] = machine["States"][stage_state(STAGE, "run")]["Branches"]
    states: dict[str, Any] = branch["States"]
    return states


def _events(states: list[dict[str, Any]]) -> int:
    for state in states:
        if state["Type"] == "Task":
            assert state["Resource"].startswith("arn:aws:lambda:"), "5 events per Task assumes a Lambda ARN"
    return sum(EVENTS_PER_STATE[state["Type"]] for state in states)


def _monitor_rounds(states: dict[str, Any]) -> dict[str, list[str]]:
    """Every way back from `check` to itself, keyed by the Wait's SecondsPath: the monitor rounds."""
    check = operator_state(STAGE, OPERATOR, "check")
    rounds: dict[str, list[str]] = {}
    for rule in states[check]["Choices"]:
        path: list[str] = []
        name = rule["Next"]
        while name != check:
            state = states[name]
            if "Next" not in state or len(path) > len(states):
                break  # ends the branch (or loops elsewhere): not a monitor round
            path.append(name)
            name = state["Next"]
        else:
            [wait] = [states[step] for step in path if states[step]["Type"] == "Wait"]
            rounds[wait["SecondsPath"]] = [*path, check]
    return rounds


def _happy_path(scope: dict[str, Any], start: str) -> list[dict[str, Any]]:
    """The states a run that succeeds at once visits: every Choice takes its Default."""
    visited: list[dict[str, Any]] = []
    name: str | None = start
    while name is not None:
        state = scope[name]
        visited.append(state)
        if state["Type"] == "Parallel":
            for branch in state["Branches"]:
                visited += _happy_path(branch["States"], branch["StartAt"])
        name = state.get("Default") if state["Type"] == "Choice" else state.get("Next")
    return visited


def _default_poll_plan() -> dict[str, Any]:
    """The poll plan the filter step writes when neither the execution nor the operator sets one."""
    operation = {"Name": OPERATOR, "Stage": STAGE, "Type": "Async"}
    state = {
        c.EXECUTION_ID: "e-1",
        c.ASSET_ID: "a-1",
        c.INPUT: {"Media": {"Audio": {"S3Bucket": "b", "S3Key": "k"}}},
        c.CONFIGURATION: {STAGE: {OPERATOR: {"MediaType": "Audio", "Enabled": True}}},
    }
    plan: dict[str, Any] = filter_operation(operation, state)[c.POLL]
    return plan


def _documented() -> dict[str, float]:
    """The History budget table of the doc: its first column to its last, as numbers."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## History budget", 1)[1]
    rows: dict[str, float] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and re.fullmatch(r"[\d.,]+", cells[2]):
            rows[cells[0]] = float(cells[2].replace(",", ""))
    return rows


@pytest.fixture(scope="module")
def derived() -> dict[str, float]:
    machine = _machine()
    branch = _branch(machine)
    rounds = _monitor_rounds(branch)
    poll = f"$.{c.POLL}"
    assert set(rounds) == {f"{poll}.{c.WAIT_SECONDS}", f"{poll}.{c.MAX_WAIT_SECONDS}"}
    ramp_round = _events([branch[name] for name in rounds[f"{poll}.{c.WAIT_SECONDS}"]])
    per_round = _events([branch[name] for name in rounds[f"{poll}.{c.MAX_WAIT_SECONDS}"]])
    assert ramp_round == per_round, "a ramp round and a round at the cap should cost the same"

    plan = _default_poll_plan()
    cap = plan[c.MAX_WAIT_SECONDS]
    assert cap == c.DEFAULT_WAIT_MAX_SECONDS
    assert plan[c.WAIT_SECONDS] == c.DEFAULT_WAIT_BASE_SECONDS
    assert plan[c.TIMEOUT_SECONDS] == c.DEFAULT_OPERATOR_TIMEOUT_SECONDS == HOUR
    ramp_rounds = plan[c.RAMP_LEFT]
    ramp_seconds = sum(c.DEFAULT_WAIT_BASE_SECONDS * 2**step for step in range(ramp_rounds))
    first_hour_rounds = plan[c.ROUNDS_LEFT]
    assert first_hour_rounds == ramp_rounds + math.ceil((HOUR - ramp_seconds) / cap)

    outside = EXECUTION_EVENTS + _events(_happy_path(machine["States"], machine["StartAt"]))
    rounds_that_fit = (HISTORY_LIMIT - outside) // per_round
    waiting = ramp_seconds + (rounds_that_fit - ramp_rounds) * cap
    return {
        "Events per monitor round": per_round,
        "Seconds of waiting per round at the cap": cap,
        "Monitor rounds per hour at the cap": HOUR / cap,
        "History events per hour of waiting": per_round * HOUR / cap,
        "Rounds of the ramp": ramp_rounds,
        "Rounds in the first hour (default operator timeout)": first_hour_rounds,
        "Events in the first hour": first_hour_rounds * per_round,
        "Events outside the loop (one stage, one Async operator)": outside,
        "Monitor rounds that fit in 25,000 events": rounds_that_fit,
        "Hours of waiting before the history limit": round(waiting / HOUR, 1),
    }


def test_a_monitor_round_visits_wait_pass_monitor_and_check() -> None:
    rounds = _monitor_rounds(_branch(_machine()))
    steps = {tuple(name.rsplit(".", 1)[1] for name in path) for path in rounds.values()}
    assert steps == {("wait", "ramp", "monitor", "check"), ("wait-max", "tick", "monitor", "check")}


def test_documented_table_matches_the_compiled_machine_and_defaults(derived: dict[str, float]) -> None:
    documented = _documented()
    assert set(documented) == set(derived), "the doc's History budget table lost or gained a row"
    stale = {
        label: (documented[label], value) for label, value in derived.items() if documented[label] != value
    }
    assert not stale, f"docs/state-machines.md is stale (documented, derived): {stale}"


def test_events_per_hour_is_stated_in_the_prose_too(derived: dict[str, float]) -> None:
    text = DOC.read_text(encoding="utf-8")
    per_hour = int(derived["History events per hour of waiting"])
    hours = derived["Hours of waiting before the history limit"]
    assert f"**{per_hour} events per hour**" in text
    assert f"**{hours} hours**" in text
