"""The concurrency counter: an exact count of Started executions, capped by a conditional write.

The counter item holds `Running` (the number of executions holding a slot) and `Version` (bumped
by every change). A slot changes hands only inside the transaction that moves an execution into or
out of `Started` (`ExecutionLifecycle`): the count and the records cannot disagree half-way, so a
reconciler can recount them (`recount`) without racing an admission. `take(limit)` adds one only
while `Running < limit` (the limit is read by the caller on every admission, so a change of
`MaxConcurrentWorkflows` applies to the next one).
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

    def _key(self) -> dict[str, Any]:
        return {ID: {"S": COUNTER_ID}}

    def take(self, limit: int) -> dict[str, Any]:
        """The transaction item that takes a slot if fewer than `limit` are taken."""
        return {
            "Update": {
                "TableName": self._table,
                "Key": self._key(),
                "UpdateExpression": "ADD Running :one, Version :one",
                "ConditionExpression": "attribute_not_exists(Running) OR Running < :limit",
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":limit": {"N": str(limit)}},
            }
        }

    def free(self) -> dict[str, Any]:
        """The transaction item that gives a slot back; it fails rather than go below zero."""
        return {
            "Update": {
                "TableName": self._table,
                "Key": self._key(),
                "UpdateExpression": "ADD Running :minus, Version :one",
                "ConditionExpression": "Running > :zero",
                "ExpressionAttributeValues": {":minus": {"N": "-1"}, ":one": {"N": "1"}, ":zero": {"N": "0"}},
            }
        }

    def read(self) -> tuple[int, int]:
        """(running, version) of the counter, read consistently."""
        item = self._client.get_item(TableName=self._table, Key=self._key(), ConsistentRead=True).get("Item")
        item = item or {}
        running = int(item["Running"]["N"]) if "Running" in item else 0
        version = int(item["Version"]["N"]) if "Version" in item else 0
        return running, version

    def running(self) -> int:
        return self.read()[0]

    def recount(self, running: int, version: int) -> bool:
        """Set the count to `running` if the counter is still at `version`; False if it moved on."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(),
                UpdateExpression="SET Running = :running, Version = :next",
                ConditionExpression="attribute_not_exists(Version) OR Version = :version",
                ExpressionAttributeValues={
                    ":running": {"N": str(running)},
                    ":next": {"N": str(version + 1)},
                    ":version": {"N": str(version)},
                },
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True
