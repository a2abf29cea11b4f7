"""Typed JSONPath and intrinsic-function values.

A payload template (Parameters, ResultSelector, ItemSelector) says "take this from the input" by
suffixing the key with ``.$``. Writing those keys by hand is how typos slip in, so templates hold
``JsonPath`` / ``Intrinsic`` values and ``payload.render_template`` writes the ``.$`` keys.

Only classic JSONPath is accepted: the local runtime (moto's interpreter) cannot run JSONata or
JSONPath filter expressions, and a machine must behave the same locally and on AWS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.workflow.asl.errors import AslValidationError

# Filter ``[?(...)]`` and script ``[(...)]`` expressions, and JSONata's ``{% ... %}`` wrapper.
_UNSUPPORTED = (("[?", "JSONPath filter expressions"), ("[(", "JSONPath script expressions"))
_JSONATA = re.compile(r"^\s*\{%.*%\}\s*$", re.DOTALL)
# A reference path (InputPath, ItemsPath, SecondsPath, ...) names exactly one node.
_NOT_IN_REFERENCE_PATH = ("..", "@", ",", ":", "*")
_INTRINSIC = re.compile(r"^States\.[A-Za-z0-9]+\(.*\)$", re.DOTALL)


def check_json_path(path: str, *, what: str = "path") -> str:
    """Return ``path`` when it is classic JSONPath on the input (``$``) or context object (``$$``)."""
    problems: list[str] = []
    if not isinstance(path, str) or not path:
        raise AslValidationError([f"{what} must be a non-empty string, got {path!r}"])
    if _JSONATA.match(path):
        problems.append(f"{what} {path!r} is JSONata; only classic JSONPath is supported")
    elif not (path == "$" or path == "$$" or path.startswith(("$.", "$[", "$$."))):
        problems.append(f"{what} {path!r} must start with '$' or '$$.'")
    for marker, label in _UNSUPPORTED:
        if marker in path:
            problems.append(f"{what} {path!r} uses {label}, which the local runtime cannot run")
    if problems:
        raise AslValidationError(problems)
    return path


def check_reference_path(path: str, *, what: str = "path") -> str:
    """Return ``path`` when it is a reference path: JSONPath that selects a single node."""
    check_json_path(path, what=what)
    bad = [token for token in _NOT_IN_REFERENCE_PATH if token in path]
    if bad:
        raise AslValidationError([f"{what} {path!r} must be a reference path (no {', '.join(bad)})"])
    return path


@dataclass(frozen=True)
class JsonPath:
    """A value taken from the state input (``$.x``) or the context object (``$$.Execution.Id``)."""

    path: str

    def __post_init__(self) -> None:
        check_json_path(self.path, what="JsonPath")

    def __str__(self) -> str:
        return self.path


@dataclass(frozen=True)
class Intrinsic:
    """A call to an intrinsic function, e.g. ``Intrinsic("States.MathAdd($.a, 1)")``."""

    expression: str

    def __post_init__(self) -> None:
        if not isinstance(self.expression, str) or not _INTRINSIC.match(self.expression):
            raise AslValidationError([f"Intrinsic {self.expression!r} must look like States.Name(arguments)"])
        for marker, label in _UNSUPPORTED:
            if marker in self.expression:
                raise AslValidationError(
                    [f"Intrinsic {self.expression!r} uses {label}, which the local runtime cannot run"]
                )

    def __str__(self) -> str:
        return self.expression


DynamicValue = JsonPath | Intrinsic
