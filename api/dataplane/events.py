"""The Kinesis records metadata writes and deletes emit (consumed by the search indexer)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 1


class Action(StrEnum):
    PUT = "PUT"
    DELETE = "DELETE"


@dataclass(frozen=True)
class MetadataEvent:
    action: Action
    asset_id: str
    operator: str | None
    workflow_id: str | None
    page: int | None
    bucket: str
    key: str
    timestamp: str

    def to_record(self) -> dict[str, Any]:
        return {
            "SchemaVersion": SCHEMA_VERSION,
            "Action": self.action.value,
            "AssetId": self.asset_id,
            "Operator": self.operator,
            "WorkflowId": self.workflow_id,
            "Page": self.page,
            "Pointer": {"S3Bucket": self.bucket, "S3Key": self.key},
            "Timestamp": self.timestamp,
        }


class EventPublisher:
    """Puts records on the dataplane stream, keyed by asset so one asset's events stay ordered."""

    def __init__(self, kinesis: Any, stream: str) -> None:
        self._kinesis = kinesis
        # Accept a stream name or ARN: the CDK app may hand over either.
        self._target = {"StreamARN": stream} if stream.startswith("arn:") else {"StreamName": stream}

    def publish(self, event: MetadataEvent) -> None:
        data = json.dumps(event.to_record(), separators=(",", ":")).encode("utf-8")
        self._kinesis.put_record(Data=data, PartitionKey=event.asset_id, **self._target)
