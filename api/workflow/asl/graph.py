"""Scopes of states: ``Graph`` (a StartAt + States pair) and ``Chain`` (states linked in order).

A Graph is the body of a state machine, a Parallel branch or a Map processor. It does not
validate itself; ``validation.check_graph`` walks it so every problem is reported together.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from api.workflow.asl.base import FlowState, State
from api.workflow.asl.errors import AslValidationError
from api.workflow.asl.payload import JsonObject


@dataclass(frozen=True, init=False)
class Graph:
    """``StartAt`` plus ``States``; ``start`` may be a name or the state itself."""

    start: str
    states: tuple[State, ...]

    def __init__(self, start: str | State, states: Iterable[State]) -> None:
        object.__setattr__(self, "start", start.name if isinstance(start, State) else start)
        object.__setattr__(self, "states", tuple(states))

    def __iter__(self) -> Iterator[State]:
        return iter(self.states)

    def names(self) -> tuple[str, ...]:
        return tuple(state.name for state in self.states)

    def to_dict(self) -> JsonObject:
        # Serialisation of a branch; duplicates would collapse here, so machines validate first.
        return {"StartAt": self.start, "States": {state.name: state.to_dict() for state in self.states}}


class Chain:
    """States in order: each gets ``Next`` = the following one; the last gets ``End`` unless linked.

    Only the last state may be a Choice, Succeed or Fail (they take no ``Next``), and no state
    but the last may carry its own ``Next``/``End``: a chain that silently overrode one would hide
    a loop. States that a Choice or Catch jumps to are added with ``extra=``.
    """

    def __init__(self, states: Sequence[State], *, extra: Iterable[State] = ()) -> None:
        states = list(states)
        if not states:
            raise AslValidationError(["a Chain needs at least one state"])
        problems: list[str] = []
        seen: set[str] = set()
        for state in [*states, *extra]:
            if state.name in seen:
                problems.append(f"duplicate state name {state.name!r} in a Chain")
            seen.add(state.name)
        linked: list[State] = []
        for index, state in enumerate(states):
            last = index == len(states) - 1
            if last:
                if isinstance(state, FlowState) and not state.linked:
                    state = state.with_end()
            elif not isinstance(state, FlowState):
                problems.append(f"{state.name!r} ({state.TYPE}) has no Next, so it can only end a Chain")
            elif state.linked:
                problems.append(f"{state.name!r} already has Next/End but is not the last in its Chain")
            else:
                state = state.with_next(states[index + 1].name)
            linked.append(state)
        if problems:
            raise AslValidationError(problems)
        self._states: tuple[State, ...] = (*linked, *extra)

    @property
    def start(self) -> str:
        return self._states[0].name

    @property
    def states(self) -> tuple[State, ...]:
        return self._states

    def __iter__(self) -> Iterator[State]:
        return iter(self._states)

    def to_graph(self) -> Graph:
        return Graph(self.start, self._states)


def as_graph(body: Graph | Chain) -> Graph:
    return body if isinstance(body, Graph) else body.to_graph()
