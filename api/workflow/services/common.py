"""Small rules every definitions service shares."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.common.messages import quoted
from api.workflow.errors import ConflictError
from api.workflow.table import Record, now


def stored_definition(model: BaseModel) -> dict[str, Any]:
    """What is stored for a definition: the body less `Version` (the table keeps that) and nulls."""
    return model.model_dump(mode="json", exclude_none=True, exclude={"Version"})


def new_record(kind: Any, name: str, definition: dict[str, Any]) -> Record:
    stamp = now()
    return Record(kind, name, definition, version=1, created=stamp, modified=stamp)


def check_version(record: Record, requested: int | None) -> None:
    """A PUT that names a `Version` applies only on top of that version (optimistic locking)."""
    if requested is not None and requested != record.version:
        raise ConflictError(
            f"{record.kind.value.lower()} {quoted(record.name)} is at version {record.version}, "
            f"not {requested}"
        )


def changed_meanwhile(kind: str, name: str) -> ConflictError:
    return ConflictError(f"{kind} {quoted(name)} was changed by another request; fetch it and retry")
