"""The Choice state: go to the first rule's ``next`` whose condition holds, else ``default``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api.workflow.asl.base import PathValue, State, path_value, put_path
from api.workflow.asl.conditions import Condition
from api.workflow.asl.errors import AslValidationError
from api.workflow.asl.payload import JsonObject


@dataclass(frozen=True)
class ChoiceRule:
    """A top-level rule: a condition plus the state to go to when it holds."""

    condition: Condition
    next: str

    def __post_init__(self) -> None:
        if not isinstance(self.condition, Condition):
            raise AslValidationError([f"ChoiceRule needs a Condition, got {self.condition!r}"])
        if not isinstance(self.next, str) or not self.next:
            raise AslValidationError([f"ChoiceRule Next must be a state name, got {self.next!r}"])

    def to_dict(self) -> JsonObject:
        return {**self.condition.to_dict(), "Next": self.next}


@dataclass(frozen=True, kw_only=True)
class Choice(State):
    """Branches on its input. Without a ``default``, no matching rule fails the execution with
    ``States.NoChoiceMatched`` on AWS — which the local runtime does not implement, so give one.
    """

    TYPE = "Choice"

    choices: Sequence[ChoiceRule] = ()
    default: str | None = None
    input_path: PathValue = None
    output_path: PathValue = None

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "choices", tuple(self.choices))
        for rule in self.choices:
            if not isinstance(rule, ChoiceRule):
                raise AslValidationError([f"Choice {self.name!r}: choices must be ChoiceRule, got {rule!r}"])
        self._fields()

    def _fields(self) -> JsonObject:
        out: JsonObject = {}
        put_path(out, "InputPath", path_value(self.input_path, what=f"Choice {self.name!r} InputPath"))
        out["Choices"] = [rule.to_dict() for rule in self.choices]
        if self.default is not None:
            out["Default"] = self.default
        put_path(out, "OutputPath", path_value(self.output_path, what=f"Choice {self.name!r} OutputPath"))
        return out

    def targets(self) -> tuple[tuple[str, str], ...]:
        rules = tuple((f"Choices[{index}].Next", rule.next) for index, rule in enumerate(self.choices))
        return (*rules, ("Default", self.default)) if self.default is not None else rules
