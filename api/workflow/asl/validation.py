"""Whole-machine checks, run before a definition is serialised.

Each check returns problems rather than raising, so one ``AslValidationError`` lists them all.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, deque
from collections.abc import Iterator

from api.workflow.asl.base import FlowState, State
from api.workflow.asl.choice import Choice
from api.workflow.asl.graph import Graph
from api.workflow.asl.parallel import Parallel

MAX_NAME_LENGTH = 80


def check_machine(graph: Graph) -> list[str]:
    """Every problem in ``graph`` and the scopes nested in it."""
    scopes = list(_walk(graph, "machine"))
    problems = _duplicate_names(scopes)
    for label, scope in scopes:
        problems.extend(f"{label}: {problem}" for problem in _check_scope(scope))
    return problems


def check_state_name(name: str) -> list[str]:
    """ASL allows up to 80 characters; control characters and edge spaces break logs and consoles."""
    problems: list[str] = []
    if not name:
        problems.append("a state name is empty")
        return problems
    if len(name) > MAX_NAME_LENGTH:
        problems.append(f"state name {name[:20]!r}... is {len(name)} characters (max {MAX_NAME_LENGTH})")
    if any(unicodedata.category(char) == "Cc" for char in name):
        problems.append(f"state name {name!r} contains control characters")
    if name != name.strip():
        problems.append(f"state name {name!r} starts or ends with whitespace")
    return problems


def _walk(graph: Graph, label: str) -> Iterator[tuple[str, Graph]]:
    yield label, graph
    for state in graph.states:
        for sub_label, sub_graph in state.scopes():
            yield from _walk(sub_graph, f"{label} > {state.name!r} {sub_label}")


def _duplicate_names(scopes: list[tuple[str, Graph]]) -> list[str]:
    # Names are unique across the whole machine, nested branches included (an ASL rule).
    counts = Counter(name for _, scope in scopes for name in scope.names())
    return [
        f"state name {name!r} is used {count} times; names must be unique across the machine"
        for name, count in sorted(counts.items())
        if count > 1
    ]


def _check_scope(scope: Graph) -> list[str]:
    if not scope.states:
        return ["has no states"]
    problems: list[str] = []
    by_name = {state.name: state for state in scope.states}
    if scope.start not in by_name:
        problems.append(f"StartAt {scope.start!r} is not a state in this scope")
    for state in scope.states:
        problems.extend(check_state_name(state.name))
        problems.extend(_check_state(state, by_name))
    if scope.start in by_name:
        reachable = _reachable(scope.start, by_name)
        orphans = [state.name for state in scope.states if state.name not in reachable]
        if orphans:
            problems.append(f"states not reachable from StartAt {scope.start!r}: {orphans}")
        if not any(by_name[name].ends_execution() for name in reachable):
            problems.append("no reachable terminal state (End: true, Succeed or Fail)")
    return problems


def _check_state(state: State, by_name: dict[str, State]) -> list[str]:
    problems: list[str] = []
    for field, target in state.targets():
        if target not in by_name:
            problems.append(f"{state.name!r} {field} -> {target!r}, which is not a state in this scope")
    if isinstance(state, FlowState) and not state.linked:
        problems.append(f"{state.name!r} has neither Next nor End")
    if isinstance(state, Choice) and not state.choices:
        problems.append(f"Choice {state.name!r} has no choices")
    if isinstance(state, Parallel) and not state.branches:
        problems.append(f"Parallel {state.name!r} has no branches")
    return problems


def _reachable(start: str, by_name: dict[str, State]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for _, target in by_name[queue.popleft()].targets():
            if target in by_name and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen
