"""Response bodies: the stored definition plus the fields the API maintains (MIE's names)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.workflow.graph import stage_order
from api.workflow.models import singleton_stage_name
from api.workflow.table import Kind, Record


def _meta(record: Record) -> dict[str, Any]:
    return {
        "ResourceType": record.kind.value,
        "Version": record.version,
        "Created": record.created,
        "Modified": record.modified,
    }


def operation(record: Record) -> dict[str, Any]:
    return {
        **record.definition,
        "StageName": singleton_stage_name(record.name),
        "UsedBy": sorted(record.used_by),  # the stages that run it (besides its own)
        **_meta(record),
    }


def stage(record: Record, operations: Mapping[str, Record]) -> dict[str, Any]:
    """A stage with each operation's default `Configuration`, as MIE answered."""
    return {
        **record.definition,
        "Configuration": _configuration(record.definition["Operations"], operations),
        "UsedBy": sorted(record.used_by),
        **_meta(record),
    }


def workflow(
    record: Record, stages: Mapping[str, Record], operations: Mapping[str, Record]
) -> dict[str, Any]:
    """A workflow whose `Stages` hold, beside `Next`/`End`, each stage as MIE returned it.

    So `.Stages | .[].Name` lists the stages in run order and `.Stages.S.Configuration` gives stage S's
    `{operator: {MediaType, Enabled, ...}}` (seed 004, step 6). Those keys are read-only: a `PUT`
    of this body ignores them (`models.Transition`).
    """
    body = {**record.definition, **_meta(record)}
    transitions: dict[str, dict[str, Any]] = record.definition["Stages"]
    order = stage_order(
        record.definition["StartAt"], {name: t.get("Next") for name, t in transitions.items()}
    )
    body["Stages"] = {  # in run order
        name: {**_stage_view(name, stages.get(name), operations), **transitions[name]} for name in order
    }
    if record.state_machine_arn:
        body["StateMachineArn"] = record.state_machine_arn
    return body


def _stage_view(name: str, record: Record | None, operations: Mapping[str, Record]) -> dict[str, Any]:
    listed: list[str] = record.definition["Operations"] if record is not None else []
    return {
        "Name": name,
        "Operations": list(listed),
        "Configuration": _configuration(listed, operations),
    }


def _configuration(names: list[str], operations: Mapping[str, Record]) -> dict[str, Any]:
    return {name: operations[name].definition["Configuration"] for name in names if name in operations}


def deleted(kind: Kind, name: str) -> dict[str, Any]:
    return {"ResourceType": kind.value, "Name": name, "Deleted": True}
