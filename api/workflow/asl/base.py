"""What every state shares: a name, an optional comment, one ``to_dict()``, and graph hooks.

States are frozen dataclasses: the dataclass fields are the whitelist of ASL fields a state type
accepts, so a typo is a ``TypeError`` at construction instead of a silently dropped key.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING, ClassVar, Literal, Self

from api.workflow.asl.errors import AslValidationError
from api.workflow.asl.paths import JsonPath, check_json_path, check_reference_path
from api.workflow.asl.payload import JsonObject

if TYPE_CHECKING:
    from api.workflow.asl.graph import Graph


class _Null(enum.Enum):
    NULL = "null"

    def __repr__(self) -> str:
        return "DISCARD"


# ``None`` means "field not set" (ASL's default "$"); DISCARD writes JSON null, which ASL reads as
# "use {} as input/output" (InputPath/OutputPath) or "drop the result" (ResultPath).
DISCARD: Literal[_Null.NULL] = _Null.NULL
PathValue = str | JsonPath | Literal[_Null.NULL] | None


def path_value(value: PathValue, *, what: str, reference: bool = False) -> str | _Null | None:
    """Check a path field and normalise it to ``str`` / ``None`` (unset) / ``DISCARD``."""
    if value is None or value is DISCARD:
        return value
    text = value.path if isinstance(value, JsonPath) else value
    if reference:
        check_reference_path(text, what=what)
    else:
        check_json_path(text, what=what)
    return text


def result_path_value(value: PathValue, *, what: str) -> str | _Null | None:
    """ResultPath is a reference path into the state's own data; the context object is read-only."""
    checked = path_value(value, what=what, reference=True)
    if isinstance(checked, str) and checked.startswith("$$"):
        raise AslValidationError([f"{what} {checked!r} cannot write to the context object"])
    return checked


def put_path(out: JsonObject, key: str, value: str | _Null | None) -> None:
    if value is DISCARD:
        out[key] = None
    elif value is not None:
        out[key] = value


@dataclass(frozen=True)
class State:
    """Base of all state types. ``name`` is positional; everything else is keyword-only."""

    TYPE: ClassVar[str] = ""

    name: str
    _: KW_ONLY
    comment: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise AslValidationError([f"state name must be a string, got {self.name!r}"])

    def to_dict(self) -> JsonObject:
        out: JsonObject = {"Type": self.TYPE}
        if self.comment is not None:
            out["Comment"] = self.comment
        out.update(self._fields())
        out.update(self._transition())
        return out

    def _fields(self) -> JsonObject:
        """Type-specific fields, in ASL's documented order."""
        return {}

    def _transition(self) -> JsonObject:
        return {}

    # -- graph hooks (used by Chain and the validator) -------------------------------------------
    def targets(self) -> tuple[tuple[str, str], ...]:
        """Every (field, state name) this state may transition to within its own scope."""
        return ()

    def ends_execution(self) -> bool:
        """True when reaching this state can finish its scope."""
        return False

    def scopes(self) -> tuple[tuple[str, Graph], ...]:
        """Nested scopes (Parallel branches, Map processor), labelled for error messages."""
        return ()


@dataclass(frozen=True, kw_only=True)
class FlowState(State):
    """A state that continues with ``Next`` or finishes with ``End`` (Task, Pass, Wait, Parallel, Map)."""

    next: str | None = None
    end: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.next is not None and self.end:
            raise AslValidationError([f"{self.name!r} has both Next and End"])
        if self.next is not None and (not isinstance(self.next, str) or not self.next):
            raise AslValidationError([f"{self.name!r}: Next must be a state name, got {self.next!r}"])

    @property
    def linked(self) -> bool:
        return self.next is not None or self.end

    def with_next(self, next: str) -> Self:
        return dataclasses.replace(self, next=next, end=False)

    def with_end(self) -> Self:
        return dataclasses.replace(self, next=None, end=True)

    def _transition(self) -> JsonObject:
        if self.next is not None:
            return {"Next": self.next}
        return {"End": True} if self.end else {}

    def targets(self) -> tuple[tuple[str, str], ...]:
        return (("Next", self.next),) if self.next is not None else ()

    def ends_execution(self) -> bool:
        return self.end
