"""One dataplane stream record, decoded and checked (`api.dataplane.events.MetadataEvent.to_record`)."""

from __future__ import annotations

import json
from typing import Any

from api.dataplane.events import SCHEMA_VERSION, Action, MetadataEvent


class MalformedRecordError(ValueError):
    """The record can never be indexed: retrying it would only stall its shard."""


def decode_record(data: bytes) -> MetadataEvent:
    try:
        record: Any = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedRecordError(f"record is not JSON: {exc}") from exc
    if not isinstance(record, dict):
        raise MalformedRecordError("record is not a JSON object")
    if record.get("SchemaVersion") != SCHEMA_VERSION:
        raise MalformedRecordError(f"unknown SchemaVersion {record.get('SchemaVersion')!r}")
    try:
        event = MetadataEvent(
            action=Action(record["Action"]),
            asset_id=_text(record["AssetId"]),
            operator=_optional_text(record.get("Operator")),
            workflow_id=_optional_text(record.get("WorkflowId")),
            page=record.get("Page"),
            bucket=_text(record["Pointer"]["S3Bucket"]),
            key=_text(record["Pointer"]["S3Key"]),
            timestamp=_text(record["Timestamp"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedRecordError(f"record lacks or mistypes a field: {exc!r}") from exc
    if event.action is Action.PUT and (event.operator is None or not isinstance(event.page, int)):
        raise MalformedRecordError("a PUT record needs an Operator and an integer Page")
    return event


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)
