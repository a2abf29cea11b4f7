"""Retry and Catch policies.

Error names may be given as exception classes: a Python Lambda reports the class name as its
``errorType``, so ``Retrier([TransientError], ...)`` cannot drift from the code that raises it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from api.workflow.asl.errors import AslValidationError
from api.workflow.asl.paths import check_reference_path
from api.workflow.asl.payload import JsonObject, JsonValue, is_int_at_least

STATES_ALL = "States.ALL"

ErrorName = str | type[BaseException]


def error_names(errors: Sequence[ErrorName], *, what: str) -> tuple[str, ...]:
    """Normalise error names/classes; ``States.ALL`` must stand alone (ASL rule)."""
    names: list[str] = []
    for error in errors:
        name = error.__name__ if isinstance(error, type) else error
        if not isinstance(name, str) or not name:
            raise AslValidationError([f"{what}: error names must be non-empty strings, got {error!r}"])
        names.append(name)
    if not names:
        raise AslValidationError([f"{what}: ErrorEquals needs at least one error name"])
    if STATES_ALL in names and len(names) > 1:
        raise AslValidationError([f"{what}: {STATES_ALL} must be the only name in its ErrorEquals"])
    if len(set(names)) != len(names):
        raise AslValidationError([f"{what}: ErrorEquals repeats a name: {names}"])
    return tuple(names)


@dataclass(frozen=True, init=False)
class Retrier:
    """One entry of a ``Retry`` list."""

    error_equals: tuple[str, ...]
    interval_seconds: int
    max_attempts: int
    backoff_rate: float
    max_delay_seconds: int | None
    jitter_strategy: Literal["FULL", "NONE"] | None

    def __init__(
        self,
        error_equals: Sequence[ErrorName],
        interval_seconds: int = 1,
        max_attempts: int = 3,
        backoff_rate: float = 2.0,
        max_delay_seconds: int | None = None,
        *,
        jitter_strategy: Literal["FULL", "NONE"] | None = None,
    ) -> None:
        problems: list[str] = []
        if not is_int_at_least(interval_seconds, 1):
            problems.append(f"Retrier IntervalSeconds must be an integer >= 1, got {interval_seconds!r}")
        if not is_int_at_least(max_attempts, 0):
            problems.append(f"Retrier MaxAttempts must be an integer >= 0, got {max_attempts!r}")
        if isinstance(backoff_rate, bool) or not isinstance(backoff_rate, int | float) or backoff_rate < 1.0:
            problems.append(f"Retrier BackoffRate must be >= 1.0, got {backoff_rate!r}")
        if max_delay_seconds is not None and not is_int_at_least(max_delay_seconds, 1):
            problems.append(f"Retrier MaxDelaySeconds must be an integer >= 1, got {max_delay_seconds!r}")
        if jitter_strategy not in (None, "FULL", "NONE"):
            problems.append(f"Retrier JitterStrategy must be FULL or NONE, got {jitter_strategy!r}")
        if problems:
            raise AslValidationError(problems)
        object.__setattr__(self, "error_equals", error_names(error_equals, what="Retrier"))
        object.__setattr__(self, "interval_seconds", interval_seconds)
        object.__setattr__(self, "max_attempts", max_attempts)
        object.__setattr__(self, "backoff_rate", backoff_rate)
        object.__setattr__(self, "max_delay_seconds", max_delay_seconds)
        object.__setattr__(self, "jitter_strategy", jitter_strategy)

    def to_dict(self) -> JsonObject:
        out: JsonObject = {
            "ErrorEquals": list[JsonValue](self.error_equals),
            "IntervalSeconds": self.interval_seconds,
            "MaxAttempts": self.max_attempts,
            "BackoffRate": self.backoff_rate,
        }
        if self.max_delay_seconds is not None:
            out["MaxDelaySeconds"] = self.max_delay_seconds
        if self.jitter_strategy is not None:
            out["JitterStrategy"] = self.jitter_strategy
        return out


@dataclass(frozen=True, init=False)
class Catcher:
    """One entry of a ``Catch`` list: on a matching error, go to ``next`` (a state in the same scope)."""

    error_equals: tuple[str, ...]
    next: str
    result_path: str | None

    def __init__(self, error_equals: Sequence[ErrorName], next: str, result_path: str | None = None) -> None:
        if not isinstance(next, str) or not next:
            raise AslValidationError([f"Catcher Next must be a state name, got {next!r}"])
        if result_path is not None:
            check_reference_path(result_path, what="Catcher ResultPath")
        object.__setattr__(self, "error_equals", error_names(error_equals, what="Catcher"))
        object.__setattr__(self, "next", next)
        object.__setattr__(self, "result_path", result_path)

    def to_dict(self) -> JsonObject:
        out: JsonObject = {"ErrorEquals": list[JsonValue](self.error_equals), "Next": self.next}
        if self.result_path is not None:
            out["ResultPath"] = self.result_path
        return out


def check_policies(retry: Sequence[Retrier], catch: Sequence[Catcher], *, owner: str) -> None:
    """A ``States.ALL`` retrier/catcher must come last, or the ones after it never apply."""
    lists: dict[str, list[tuple[str, ...]]] = {
        "Retry": [entry.error_equals for entry in retry],
        "Catch": [entry.error_equals for entry in catch],
    }
    problems = [
        f"{owner}: {kind}[{index}] uses {STATES_ALL} but is not the last entry"
        for kind, names in lists.items()
        for index, error_equals in enumerate(names[:-1])
        if STATES_ALL in error_equals
    ]
    if problems:
        raise AslValidationError(problems)


def put_policies(out: JsonObject, retry: Sequence[Retrier], catch: Sequence[Catcher]) -> None:
    if retry:
        out["Retry"] = [retrier.to_dict() for retrier in retry]
    if catch:
        out["Catch"] = [catcher.to_dict() for catcher in catch]


def catch_targets(catch: Sequence[Catcher]) -> tuple[tuple[str, str], ...]:
    return tuple((f"Catch[{index}].Next", catcher.next) for index, catcher in enumerate(catch))
