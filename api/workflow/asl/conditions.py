"""Choice rules: comparisons on one input value, combined with And / Or / Not.

Each comparison operator is its own class, so the value's type is checked when the rule is
built (``NumericGreaterThan("$.n", "5")`` fails at once, not at run time on AWS).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from api.workflow.asl.errors import AslValidationError
from api.workflow.asl.paths import check_json_path
from api.workflow.asl.payload import JsonObject


class Condition(ABC):
    """Base of every rule; ``to_dict()`` gives the rule without ``Next``."""

    @abstractmethod
    def to_dict(self) -> JsonObject: ...


@dataclass(frozen=True)
class _Comparison(Condition):
    OPERATOR: ClassVar[str] = ""
    # The accepted Python types for the compared value; "path" means a JSONPath string.
    KIND: ClassVar[str] = ""

    variable: str
    value: str | float | bool

    def __post_init__(self) -> None:
        check_json_path(self.variable, what=f"{self.OPERATOR} Variable")
        if self.KIND == "path":
            if isinstance(self.value, str):
                check_json_path(self.value, what=f"{self.OPERATOR} value")
                return
        elif self.KIND == "number":
            if isinstance(self.value, int | float) and not isinstance(self.value, bool):
                return
        elif self.KIND == "string":
            if isinstance(self.value, str):
                return
        elif isinstance(self.value, bool):
            return
        raise AslValidationError([f"{self.OPERATOR} needs a {self.KIND} value, got {self.value!r}"])

    def to_dict(self) -> JsonObject:
        return {"Variable": self.variable, self.OPERATOR: self.value}


# Typed constructors: the base accepts any comparable value; each operator's signature is exact.
class StringEquals(_Comparison):
    OPERATOR, KIND = "StringEquals", "string"

    def __init__(self, variable: str, value: str) -> None:
        super().__init__(variable, value)


class StringEqualsPath(_Comparison):
    OPERATOR, KIND = "StringEqualsPath", "path"

    def __init__(self, variable: str, path: str) -> None:
        super().__init__(variable, path)


class StringMatches(_Comparison):
    OPERATOR, KIND = "StringMatches", "string"

    def __init__(self, variable: str, pattern: str) -> None:
        super().__init__(variable, pattern)


class NumericEquals(_Comparison):
    OPERATOR, KIND = "NumericEquals", "number"

    def __init__(self, variable: str, value: float) -> None:
        super().__init__(variable, value)


class NumericLessThan(_Comparison):
    OPERATOR, KIND = "NumericLessThan", "number"

    def __init__(self, variable: str, value: float) -> None:
        super().__init__(variable, value)


class NumericLessThanEquals(_Comparison):
    OPERATOR, KIND = "NumericLessThanEquals", "number"

    def __init__(self, variable: str, value: float) -> None:
        super().__init__(variable, value)


class NumericGreaterThan(_Comparison):
    OPERATOR, KIND = "NumericGreaterThan", "number"

    def __init__(self, variable: str, value: float) -> None:
        super().__init__(variable, value)


class NumericGreaterThanEquals(_Comparison):
    OPERATOR, KIND = "NumericGreaterThanEquals", "number"

    def __init__(self, variable: str, value: float) -> None:
        super().__init__(variable, value)


class BooleanEquals(_Comparison):
    OPERATOR, KIND = "BooleanEquals", "boolean"

    def __init__(self, variable: str, value: bool) -> None:
        super().__init__(variable, value)


class IsPresent(_Comparison):
    OPERATOR, KIND = "IsPresent", "boolean"

    def __init__(self, variable: str, value: bool = True) -> None:
        super().__init__(variable, value)


class IsNull(_Comparison):
    OPERATOR, KIND = "IsNull", "boolean"

    def __init__(self, variable: str, value: bool = True) -> None:
        super().__init__(variable, value)


@dataclass(frozen=True, init=False)
class And(Condition):
    conditions: tuple[Condition, ...]

    def __init__(self, *conditions: Condition) -> None:
        object.__setattr__(self, "conditions", _operands("And", conditions))

    def to_dict(self) -> JsonObject:
        return {"And": [condition.to_dict() for condition in self.conditions]}


@dataclass(frozen=True, init=False)
class Or(Condition):
    conditions: tuple[Condition, ...]

    def __init__(self, *conditions: Condition) -> None:
        object.__setattr__(self, "conditions", _operands("Or", conditions))

    def to_dict(self) -> JsonObject:
        return {"Or": [condition.to_dict() for condition in self.conditions]}


@dataclass(frozen=True)
class Not(Condition):
    condition: Condition

    def __post_init__(self) -> None:
        _operands("Not", (self.condition,))

    def to_dict(self) -> JsonObject:
        return {"Not": self.condition.to_dict()}


def _operands(operator: str, conditions: Sequence[Condition]) -> tuple[Condition, ...]:
    if not conditions:
        raise AslValidationError([f"{operator} needs at least one condition"])
    for condition in conditions:
        if not isinstance(condition, Condition):
            raise AslValidationError([f"{operator} takes conditions, got {condition!r}"])
    return tuple(conditions)
