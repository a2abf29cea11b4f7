"""Response bodies: the stored definition plus the fields the API maintains (MIE's names)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
    names: list[str] = record.definition["Operations"]
    configuration = {
        name: operations[name].definition["Configuration"] for name in names if name in operations
    }
    return {
        **record.definition,
        "Configuration": configuration,
        "UsedBy": sorted(record.used_by),
        **_meta(record),
    }


def workflow(record: Record) -> dict[str, Any]:
    body = {**record.definition, **_meta(record)}
    if record.state_machine_arn:
        body["StateMachineArn"] = record.state_machine_arn
    return body


def deleted(kind: Kind, name: str) -> dict[str, Any]:
    return {"ResourceType": kind.value, "Name": name, "Deleted": True}
