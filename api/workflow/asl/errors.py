"""Errors raised while building or checking Amazon States Language.

AslError
 └── AslValidationError    a state, path or graph breaks an ASL rule; ``.problems`` lists each one
"""

from __future__ import annotations

from collections.abc import Iterable


class AslError(Exception):
    """Base of every error this package raises."""


class AslValidationError(AslError, ValueError):
    """One or more ASL rules are broken; every problem found is listed, not just the first."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("AslValidationError needs at least one problem")
        if len(self.problems) == 1:
            message = f"invalid state machine: {self.problems[0]}"
        else:
            listed = "\n".join(f"  - {problem}" for problem in self.problems)
            message = f"invalid state machine ({len(self.problems)} problems):\n{listed}"
        super().__init__(message)
