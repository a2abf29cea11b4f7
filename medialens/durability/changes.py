"""What one journal record holds: the state, after a confirmed write, of everything that write touched.

The journal records results, not requests: after a write succeeds, the journaling front reads back
each object, item or state machine it touched and records that state (or its absence). Replaying
such records is idempotent and needs no re-evaluation (a conditional write, an `ADD` counter or a
multipart upload's random id give the same end state), and the last record of a resource, in
journal order, always holds its newest confirmed state.

Encoding of a record: header length (4 bytes, big-endian) | header (JSON) | object bodies, the
header's `changes` naming each body's length (`"body": n`) in order.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from typing import Any

_HEADER = struct.Struct(">I")
DEFAULT_CONTENT_TYPE = "binary/octet-stream"  # S3's, for an object stored without one


@dataclass(frozen=True)
class ObjectState:
    """An S3 object after a write: `body is None` means it does not exist."""

    bucket: str
    key: str
    body: bytes | None
    content_type: str = DEFAULT_CONTENT_TYPE
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemState:
    """A DynamoDB item (DynamoDB JSON) after a write: `item is None` means it does not exist."""

    table: str
    key: dict[str, Any]
    item: dict[str, Any] | None


@dataclass(frozen=True)
class StateMachineState:
    """A Step Functions state machine after a write: `definition is None` means it was deleted."""

    arn: str
    name: str
    definition: str | None
    role_arn: str = ""


Change = ObjectState | ItemState | StateMachineState


def encode(changes: list[Change]) -> bytes:
    header: list[dict[str, Any]] = []
    bodies: list[bytes] = []
    for change in changes:
        if isinstance(change, ObjectState):
            entry: dict[str, Any] = {"s3": change.bucket, "key": change.key}
            if change.body is not None:
                entry.update(body=len(change.body), type=change.content_type, meta=change.metadata)
                bodies.append(change.body)
        elif isinstance(change, ItemState):
            entry = {"dynamodb": change.table, "key": change.key, "item": change.item}
        else:
            entry = {"states": change.arn, "name": change.name, "definition": change.definition}
            entry["role"] = change.role_arn
        header.append(entry)
    head = json.dumps({"changes": header}, separators=(",", ":")).encode()
    return b"".join([_HEADER.pack(len(head)), head, *bodies])


def decode(payload: bytes) -> list[Change]:
    (length,) = _HEADER.unpack_from(payload)
    offset = _HEADER.size + length
    changes: list[Change] = []
    for entry in json.loads(payload[_HEADER.size : offset])["changes"]:
        if "s3" in entry:
            body = None
            if "body" in entry:
                body = payload[offset : offset + entry["body"]]
                offset += entry["body"]
            changes.append(
                ObjectState(
                    entry["s3"],
                    entry["key"],
                    body,
                    entry.get("type", DEFAULT_CONTENT_TYPE),
                    entry.get("meta", {}),
                )
            )
        elif "dynamodb" in entry:
            changes.append(ItemState(entry["dynamodb"], entry["key"], entry["item"]))
        else:
            changes.append(
                StateMachineState(entry["states"], entry["name"], entry["definition"], entry["role"])
            )
    return changes
