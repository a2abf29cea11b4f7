"""moto's caches and the in-process Lambda path change nothing a workflow can observe.

The same generated machines run with `medialens.runtime.moto_tuning` installed and without it; the
execution records, the machines' outputs and the kinds of history events they write must match.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from medialens.runtime import moto_tuning
from tests.local.controlplane.conftest import ControlPlane, Operation

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
    tuned_cached = _observed(cp, *cp.run(machine, stages))  # the cached program, copied again

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


def test_memoized_node_texts_are_antlr_s_own(untuned: None) -> None:
    definition = json.dumps(
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Parameters": {"k.$": "$.x", "s": 'say "hi"'}, "Next": "B"},
                "B": {"Type": "Succeed"},
            },
        }
    )
    moto_tuning.install()
    tree = moto_tuning.PARSE_TREES.tree(definition)
    nodes, stack = [], [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, moto_tuning.RuleContext):
            nodes.append(node)
            stack.extend(node.getChildren())
    memoized = [node for node in nodes if id(node) in moto_tuning._TEXTS]
    assert memoized  # every node up to TEXT_MEMO_CHARS long
    original = moto_tuning._originals["RuleContext.getText"]
    assert all(node.getText() == original(node) for node in nodes)


def test_interpreter_state_copies_are_deep_and_equal(untuned: None) -> None:
    moto_tuning.install()
    state: dict[str, Any] = {"a": [1, {"b": "c", "d": None, "e": 2.5, "f": True}], "g": {}}
    copied = moto_tuning._json_copy(state)
    assert copied == state
    copied["a"][1]["b"] = "changed"
    assert state["a"][1]["b"] == "c"
