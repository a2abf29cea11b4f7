"""A complete state machine definition: validated, then serialised the same way every time."""

from __future__ import annotations

import json
from collections.abc import Iterable

from api.workflow.asl.base import State
from api.workflow.asl.errors import AslValidationError
from api.workflow.asl.graph import Chain, Graph
from api.workflow.asl.payload import JsonObject, is_int_at_least
from api.workflow.asl.validation import check_machine


class StateMachine:
    """``StartAt`` + ``States`` + optional ``Comment`` and whole-execution ``TimeoutSeconds``."""

    def __init__(
        self,
        start: str | State,
        states: Iterable[State],
        *,
        comment: str | None = None,
        timeout_seconds: int | None = None,
    ) -> None:
        if timeout_seconds is not None and not is_int_at_least(timeout_seconds, 1):
            raise AslValidationError([f"TimeoutSeconds must be a positive integer, got {timeout_seconds!r}"])
        self.graph = Graph(start, states)
        self.comment = comment
        self.timeout_seconds = timeout_seconds

    @classmethod
    def from_chain(
        cls, chain: Chain, *, comment: str | None = None, timeout_seconds: int | None = None
    ) -> StateMachine:
        return cls(chain.start, chain.states, comment=comment, timeout_seconds=timeout_seconds)

    def validate(self) -> None:
        """Raise ``AslValidationError`` listing every problem, or return when the machine is sound."""
        problems = check_machine(self.graph)
        if problems:
            raise AslValidationError(problems)

    def to_dict(self) -> JsonObject:
        self.validate()
        out: JsonObject = {}
        if self.comment is not None:
            out["Comment"] = self.comment
        out.update(self.graph.to_dict())
        if self.timeout_seconds is not None:
            out["TimeoutSeconds"] = self.timeout_seconds
        return out

    def to_json(self, *, indent: int | None = None) -> str:
        # Key order comes from the classes, not from hashing, so the text is stable across runs.
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)
