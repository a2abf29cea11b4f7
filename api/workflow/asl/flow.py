"""States that move data and time without calling anything: Pass, Wait, Succeed, Fail."""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass
from typing import Final, Literal

from api.workflow.asl.base import FlowState, PathValue, State, path_value, put_path, result_path_value
from api.workflow.asl.errors import AslValidationError
from api.workflow.asl.payload import (
    JsonObject,
    Template,
    TemplateObject,
    is_int_at_least,
    render_literal,
    render_template,
)


class _NoResult(enum.Enum):
    NO_RESULT = "no-result"


# Not None: ``null`` is a valid fixed result, so "no Result field" needs its own marker.
_NO_RESULT: Final = _NoResult.NO_RESULT


@dataclass(frozen=True, kw_only=True)
class Pass(FlowState):
    """Passes its input on, optionally reshaped (``parameters``) or replaced by a fixed ``result``."""

    TYPE = "Pass"

    input_path: PathValue = None
    parameters: TemplateObject | None = None
    result: Template | Literal[_NoResult.NO_RESULT] = _NO_RESULT
    result_path: PathValue = None
    output_path: PathValue = None

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "parameters", copy.deepcopy(self.parameters))
        object.__setattr__(self, "result", copy.deepcopy(self.result))
        self._fields()  # checks paths and templates now, not at serialisation time

    def _fields(self) -> JsonObject:
        where = f"{self.name!r}"
        out: JsonObject = {}
        put_path(out, "InputPath", path_value(self.input_path, what=f"{where} InputPath"))
        if self.parameters is not None:
            out["Parameters"] = render_template(self.parameters, what=f"{where} Parameters")
        if self.result is not _NO_RESULT:
            out["Result"] = render_literal(self.result, what=f"{where} Result")
        put_path(out, "ResultPath", result_path_value(self.result_path, what=f"{where} ResultPath"))
        put_path(out, "OutputPath", path_value(self.output_path, what=f"{where} OutputPath"))
        return out


@dataclass(frozen=True, kw_only=True)
class Wait(FlowState):
    """Waits for exactly one of ``seconds``, ``seconds_path``, ``timestamp``, ``timestamp_path``.

    Prefer ``seconds_path``: the wait is then data, so a poll loop can back off and the local
    runtime can shorten it.
    """

    TYPE = "Wait"

    seconds: int | None = None
    seconds_path: PathValue = None
    timestamp: str | None = None
    timestamp_path: PathValue = None
    input_path: PathValue = None
    output_path: PathValue = None

    def __post_init__(self) -> None:
        super().__post_init__()
        given = (self.seconds, self.seconds_path, self.timestamp, self.timestamp_path)
        if sum(value is not None for value in given) != 1:
            raise AslValidationError(
                [f"Wait {self.name!r} needs exactly one of seconds, seconds_path, timestamp, timestamp_path"]
            )
        if self.seconds is not None and not is_int_at_least(self.seconds, 0):
            raise AslValidationError([f"Wait {self.name!r}: Seconds must be an integer >= 0"])
        self._fields()

    def _fields(self) -> JsonObject:
        where = f"{self.name!r}"
        out: JsonObject = {}
        put_path(out, "InputPath", path_value(self.input_path, what=f"{where} InputPath"))
        if self.seconds is not None:
            out["Seconds"] = self.seconds
        put_path(
            out, "SecondsPath", path_value(self.seconds_path, what=f"{where} SecondsPath", reference=True)
        )
        if self.timestamp is not None:
            out["Timestamp"] = self.timestamp
        put_path(
            out,
            "TimestampPath",
            path_value(self.timestamp_path, what=f"{where} TimestampPath", reference=True),
        )
        put_path(out, "OutputPath", path_value(self.output_path, what=f"{where} OutputPath"))
        return out


@dataclass(frozen=True, kw_only=True)
class Succeed(State):
    """Ends its scope successfully."""

    TYPE = "Succeed"

    input_path: PathValue = None
    output_path: PathValue = None

    def __post_init__(self) -> None:
        super().__post_init__()
        self._fields()

    def _fields(self) -> JsonObject:
        out: JsonObject = {}
        put_path(out, "InputPath", path_value(self.input_path, what=f"{self.name!r} InputPath"))
        put_path(out, "OutputPath", path_value(self.output_path, what=f"{self.name!r} OutputPath"))
        return out

    def ends_execution(self) -> bool:
        return True


@dataclass(frozen=True, kw_only=True)
class Fail(State):
    """Ends the execution with an error name and a human-readable cause."""

    TYPE = "Fail"

    error: str | None = None
    cause: str | None = None

    def _fields(self) -> JsonObject:
        out: JsonObject = {}
        if self.error is not None:
            out["Error"] = self.error
        if self.cause is not None:
            out["Cause"] = self.cause
        return out

    def ends_execution(self) -> bool:
        return True
