"""moto's caches and the in-process Lambda path change nothing a workflow can observe.

The same generated machines run with `medialens.runtime.moto_tuning` installed and without it; the
execution records, the machines' outputs and the kinds of history events they write must match.
"""

from __future__ import annotations

import collections
import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from medialens.runtime import moto_tuning
from tests.local.controlplane.conftest import ControlPlane, Operation, wait_for_end

pytestmark = pytest.mark.local


@pytest.fixture
def untuned() -> Iterator[None]:
    """Starts with moto's own functions; whatever the test installs is undone after it."""
    moto_tuning.uninstall()
    yield
    moto_tuning.install()  # the module's moto server runs tuned, as the platform's does


def _stages(cp: ControlPlane) -> list[tuple[str, list[Operation]]]:
    return [
        ("Work", [cp.operation("Good", "ok"), cp.operation("Polls", "async_start", monitor="async_monitor")]),
        ("Fails", [cp.operation("Bad", "raises"), cp.operation("AlsoGood", "ok")]),
        ("Never", [cp.operation("Later", "ok")]),
    ]


def _observed(cp: ControlPlane, described: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    history = cp.sfn.get_execution_history(executionArn=described["executionArn"], maxResults=1000)
    # Parallel branches interleave differently from run to run: compare how many of each kind.
    kinds = collections.Counter(event["type"] for event in history["events"])
    return {
        "status": described["status"],
        "error": described.get("error"),
        "record": {key: record.get(key) for key in ("Status", "Error", "StageStatus")},
        "operators": {
            stage: {name: (op["Status"], op.get("Message")) for name, op in ops.items()}
            for stage, ops in record["Operators"].items()
        },
        "events": dict(kinds),
    }


def test_tuned_and_stock_moto_run_a_workflow_identically(control_plane: ControlPlane, untuned: None) -> None:
    cp = control_plane
    stages = _stages(cp)
    machine = cp.deploy(stages)

    stock = _observed(cp, *cp.run(machine, stages))
    moto_tuning.install()
    tuned_first = _observed(cp, *cp.run(machine, stages))
    tuned_cached = _observed(cp, *cp.run(machine, stages))  # the cached program, shared

    assert stock["record"]["Status"] == "Error"
    assert stock["operators"]["Fails"]["Bad"][0] == "Error"
    assert tuned_first == stock
    assert tuned_cached == stock


def test_a_changed_definition_runs_the_new_machine(control_plane: ControlPlane, untuned: None) -> None:
    cp = control_plane
    moto_tuning.install()
    before = [("Work", [cp.operation("Bad", "raises")])]
    machine = cp.deploy(before)
    described, record = cp.run(machine, before)
    assert record["Status"] == "Error"

    after = [("Work", [cp.operation("Bad", "ok")])]  # same names, another function
    replacement = json.loads(cp.sfn.describe_state_machine(stateMachineArn=cp.deploy(after))["definition"])
    cp.sfn.update_state_machine(stateMachineArn=machine, definition=json.dumps(replacement))
    described, record = cp.run(machine, after)
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert record["Status"] == "Complete"


def test_concurrent_executions_of_one_cached_machine_keep_their_own_state(
    control_plane: ControlPlane, untuned: None
) -> None:
    cp = control_plane
    moto_tuning.install()
    stages = [
        ("Work", [cp.operation("Good", "ok"), cp.operation("Other", "ok")]),
        ("Next", [cp.operation("Last", "ok")]),
    ]
    machine = cp.deploy(stages)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: cp.run(machine, stages), range(4)))
    names = {described["name"] for described, _ in results}
    assert len(names) == 4
    for described, record in results:
        assert described["status"] == "SUCCEEDED", described.get("cause")
        assert record["Status"] == "Complete"
        assert json.loads(described["output"]).get("ExecutionId", described["name"]) == described["name"]


def test_an_unknown_function_fails_the_task_as_moto_does(control_plane: ControlPlane, untuned: None) -> None:
    cp = control_plane
    missing = cp.operation("Ghost", "ok").model_copy(
        update={"StartLambdaArn": cp.arns["op-ok"].replace("op-ok", "op-does-not-exist")}
    )
    stages = [("Work", [missing])]
    machine = cp.deploy(stages)
    stock = _observed(cp, *cp.run(machine, stages))
    moto_tuning.install()
    tuned = _observed(cp, *cp.run(machine, stages))
    assert stock["record"]["Status"] == "Error"
    assert tuned == stock


def _retrying_map_machine(cp: ControlPlane) -> str:
    """Each item's Task fails, is retried once, then caught: its counts live in the execution."""
    task = {
        "Type": "Task",
        "Resource": cp.arns["op-raises"],
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1, "IntervalSeconds": 1, "BackoffRate": 1}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught", "ResultPath": "$.error"}],
        "End": True,
    }
    caught = {"Type": "Pass", "Parameters": {"item.$": "$.item", "caught.$": "$.error.Error"}, "End": True}
    definition = {
        "StartAt": "Items",
        "States": {
            "Items": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "Parameters": {"item.$": "$$.Map.Item.Value"},
                "Iterator": {"StartAt": "Work", "States": {"Work": task, "Caught": caught}},
                "End": True,
            }
        },
    }
    made = cp.sfn.create_state_machine(
        name=f"retries-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition), roleArn=cp.role_arn
    )
    return str(made["stateMachineArn"])


def test_concurrent_executions_of_one_shared_program_keep_their_own_retry_counts(
    control_plane: ControlPlane, untuned: None
) -> None:
    cp = control_plane
    moto_tuning.install()
    machine = _retrying_map_machine(cp)

    def run(index: int) -> tuple[dict[str, Any], collections.Counter[str]]:
        items = [f"{index}-{n}" for n in range(index % 3 + 1)]  # 1 to 3 items: runs of unlike length
        name, payload = uuid.uuid4().hex, json.dumps({"items": items})
        arn = cp.sfn.start_execution(stateMachineArn=machine, name=name, input=payload)["executionArn"]
        described = wait_for_end(cp.sfn, arn, 60)
        events = cp.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        return described, collections.Counter(event["type"] for event in events)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(run, range(6)))
    for index, (described, kinds) in enumerate(results):
        items = [f"{index}-{n}" for n in range(index % 3 + 1)]
        assert described["status"] == "SUCCEEDED", described.get("cause")
        assert json.loads(described["output"]) == [{"item": item, "caught": "RuntimeError"} for item in items]
        assert kinds["LambdaFunctionFailed"] == 2 * len(items)  # the first try and one retry, each


def test_a_definition_s_program_is_built_once_and_reads_as_moto_s_own(untuned: None) -> None:
    branch = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    definition = json.dumps(
        {
            "StartAt": "Both",
            "States": {"Both": {"Type": "Parallel", "Branches": [branch, branch], "End": True}},
        }
    )
    moto_tuning.install()
    program, _ = moto_tuning.PROGRAMS.program(definition)
    assert moto_tuning.PROGRAMS.program(definition)[0] is program
    assert moto_tuning.PROGRAMS.program(definition.replace('"P"', '"Q"'))[0] is not program

    components = list(moto_tuning._components(program))
    branches = [c for c in components if isinstance(c, moto_tuning.Program) and c is not program]
    assert len(branches) == 2
    # Every heap key was drawn at build, so no execution draws one.
    assert all(c._EvalComponent__heap_key for c in components if isinstance(c, moto_tuning.EvalComponent))
    # The memoized text of a program is moto's own text for it.
    assert all(str(p) == moto_tuning.Component.__str__(p) for p in [program, *branches])
    moto_tuning.uninstall()
    assert "__str__" not in moto_tuning.Program.__dict__  # moto's inherited one again


def test_interpreter_state_copies_are_deep_and_equal(untuned: None) -> None:
    moto_tuning.install()
    state: dict[str, Any] = {"a": [1, {"b": "c", "d": None, "e": 2.5, "f": True}], "g": {}}
    copied = moto_tuning._json_copy(state)
    assert copied == state
    copied["a"][1]["b"] = "changed"
    assert state["a"][1]["b"] == "c"


def test_a_burst_of_first_executions_builds_the_program_once(
    untuned: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    moto_tuning.install()
    builds: list[str] = []
    build = moto_tuning._build_program

    def slow_build(definition: str) -> Any:
        builds.append(definition)
        time.sleep(0.2)  # long enough for every caller to miss the cache
        return build(definition)

    monkeypatch.setattr(moto_tuning, "_build_program", slow_build)
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    with ThreadPoolExecutor(max_workers=8) as pool:
        programs = list(pool.map(lambda _: moto_tuning.PROGRAMS.program(definition)[0], range(8)))
    assert len(builds) == 1
    assert all(program is programs[0] for program in programs)


def test_a_definition_that_does_not_parse_raises_for_every_caller_and_is_not_kept(untuned: None) -> None:
    moto_tuning.install()
    broken = '{"StartAt": "P", "States": {"P": {"Type": "NoSuchType", "End": true}}}'
    for _ in range(2):
        with pytest.raises(moto_tuning.asl_parser.ASLParserException):
            moto_tuning.PROGRAMS.program(broken)
    assert broken not in moto_tuning.PROGRAMS._programs
    # The failed build left nothing held: the next definition builds.
    working = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
    assert isinstance(moto_tuning.PROGRAMS.program(working)[0], moto_tuning.Program)
