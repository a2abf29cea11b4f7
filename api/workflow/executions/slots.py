"""The concurrency counter: an atomic count of running executions, capped by a conditional write.

`acquire(limit)` adds one only while `Running < limit` (the limit is read by the caller on every
admission, so a change of `MaxConcurrentWorkflows` applies to the next one); `release()` takes one
away, never below zero. Callers release only after winning the guarded status transition
(`ExecutionStore.finish`), so a slot is freed exactly once whichever handler gets there first.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from api.workflow.executions.schema import COUNTER_ID, ID


def _condition_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class ConcurrencySlots:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def acquire(self, limit: int) -> bool:
        """Take a slot if fewer than `limit` are taken; False when all are."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key={ID: {"S": COUNTER_ID}},
                UpdateExpression="ADD Running :one",
                ConditionExpression="attribute_not_exists(Running) OR Running < :limit",
                ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)}},
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def release(self) -> None:
        try:
            self._client.update_item(
                TableName=self._table,
                Key={ID: {"S": COUNTER_ID}},
                UpdateExpression="ADD Running :minus",
                ConditionExpression="Running > :zero",
                ExpressionAttributeValues={":minus": {"N": "-1"}, ":zero": {"N": "0"}},
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise

    def running(self) -> int:
        item = self._client.get_item(
            TableName=self._table, Key={ID: {"S": COUNTER_ID}}, ConsistentRead=True
        ).get("Item")
        return int(item["Running"]["N"]) if item and "Running" in item else 0
