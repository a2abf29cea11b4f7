"""The definitions table: operations, stages, workflows and system settings in one DynamoDB table.

    ResourceType (HASH)   Name (RANGE)           one item per definition
    "OPERATION"           operation name
    "STAGE"               stage name ("_{operation}" for an operation's singleton stage)
    "WORKFLOW"            workflow name
    "SYSTEM"              parameter name (e.g. "MaxConcurrentWorkflows")

Other attributes: `Definition` (the validated request body as compact JSON, so free-form operator
configuration keeps its exact JSON types), `Version` (N, bumped by every update), `Created` and
`Modified` (ISO-8601 UTC), `StateMachineArn` (workflows), `Value` (system settings), and `UsedBy`
(a string set: the stages using an operation, the workflows using a stage).

`UsedBy` is written in the same transaction as the referencing item, and deletes are conditional
on `attribute_not_exists(UsedBy)`: so "delete only what nobody uses" holds under concurrency, and
finding the workflows an operation update must redeploy needs no scan. Lists are `Query`s on one
partition, in name order, which gives a stable resume point for cursors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from botocore.exceptions import ClientError

from api.workflow.errors import ConflictError, WorkflowApiError

PARTITION_KEY = "ResourceType"
SORT_KEY = "Name"
_BATCH_GET_LIMIT = 100


class Kind(StrEnum):
    OPERATION = "OPERATION"
    STAGE = "STAGE"
    WORKFLOW = "WORKFLOW"
    SYSTEM = "SYSTEM"


def table_definition() -> dict[str, Any]:
    """Keyword arguments for `create_table`, less `TableName` (shared with the CDK app and tests)."""
    return {
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": SORT_KEY, "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Record:
    kind: Kind
    name: str
    definition: dict[str, Any]
    version: int = 1
    created: str = ""
    modified: str = ""
    used_by: frozenset[str] = field(default_factory=frozenset)
    state_machine_arn: str | None = None


def _key(kind: Kind, name: str) -> dict[str, Any]:
    return {PARTITION_KEY: {"S": kind.value}, SORT_KEY: {"S": name}}


def _to_item(record: Record) -> dict[str, Any]:
    item: dict[str, Any] = {
        **_key(record.kind, record.name),
        "Definition": {"S": json.dumps(record.definition, separators=(",", ":"), sort_keys=True)},
        "Version": {"N": str(record.version)},
        "Created": {"S": record.created},
        "Modified": {"S": record.modified},
    }
    if record.used_by:
        item["UsedBy"] = {"SS": sorted(record.used_by)}
    if record.state_machine_arn:
        item["StateMachineArn"] = {"S": record.state_machine_arn}
    return item


def _from_item(item: dict[str, Any]) -> Record:
    return Record(
        kind=Kind(item[PARTITION_KEY]["S"]),
        name=item[SORT_KEY]["S"],
        definition=json.loads(item["Definition"]["S"]),
        version=int(item["Version"]["N"]),
        created=item["Created"]["S"],
        modified=item["Modified"]["S"],
        used_by=frozenset(item.get("UsedBy", {}).get("SS", [])),
        state_machine_arn=item.get("StateMachineArn", {}).get("S"),
    )


@dataclass(frozen=True)
class Step:
    """One action of a transaction, with the error to raise if its condition fails."""

    action: dict[str, Any]
    on_condition_failed: WorkflowApiError


class DefinitionsTable:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # reads

    def get(self, kind: Kind, name: str) -> Record | None:
        response = self._client.get_item(TableName=self._table, Key=_key(kind, name), ConsistentRead=True)
        item = response.get("Item")
        return _from_item(item) if item else None

    def get_many(self, kind: Kind, names: Iterable[str]) -> dict[str, Record]:
        """The records of `names` that exist, by name."""
        wanted = sorted(set(names))
        found: dict[str, Record] = {}
        for start in range(0, len(wanted), _BATCH_GET_LIMIT):
            keys = [_key(kind, name) for name in wanted[start : start + _BATCH_GET_LIMIT]]
            request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table, []):
                    record = _from_item(item)
                    found[record.name] = record
                request = response.get("UnprocessedKeys") or {}
        return found

    def page(self, kind: Kind, limit: int, after: str | None) -> tuple[list[Record], str | None]:
        """Up to `limit` records in name order after `after`; and the name to resume after, if any."""
        records: list[Record] = []
        start = _key(kind, after) if after is not None else None
        # Read one record beyond the page, so a cursor is offered only when something follows.
        while len(records) <= limit:
            request: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "#pk = :pk",
                "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
                "ExpressionAttributeValues": {":pk": {"S": kind.value}},
                "Limit": limit + 1 - len(records),
                "ConsistentRead": True,
            }
            if start is not None:
                request["ExclusiveStartKey"] = start
            response = self._client.query(**request)
            records.extend(_from_item(item) for item in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if start is None:
                break
        if len(records) > limit:
            return records[:limit], records[limit - 1].name
        return records, None

    def all(self, kind: Kind) -> list[Record]:
        records: list[Record] = []
        after: str | None = None
        while True:
            page, after = self.page(kind, 100, after)
            records.extend(page)
            if after is None:
                return records

    # writes

    def transact(self, steps: Sequence[Step]) -> None:
        """Run `steps` atomically; raise the error of the first step whose condition failed."""
        try:
            self._client.transact_write_items(TransactItems=[step.action for step in steps])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons") or []
            for step, reason in zip(steps, reasons, strict=False):
                if reason.get("Code") == "ConditionalCheckFailed":
                    raise step.on_condition_failed from exc
            raise ConflictError("the definitions changed during this request; retry it") from exc

    def set_state_machine_arn(self, workflow: str, arn: str) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=_key(Kind.WORKFLOW, workflow),
            UpdateExpression="SET StateMachineArn = :arn",
            ConditionExpression="attribute_exists(#sk)",
            ExpressionAttributeNames={"#sk": SORT_KEY},
            ExpressionAttributeValues={":arn": {"S": arn}},
        )

    def put_value(self, kind: Kind, name: str, value: int) -> None:
        """An unconditional setting write (system parameters)."""
        record = Record(kind, name, {"Name": name, "Value": value}, created=now(), modified=now())
        self._client.put_item(TableName=self._table, Item=_to_item(record))

    # transaction steps

    def create(self, record: Record, error: WorkflowApiError) -> Step:
        return Step(
            {
                "Put": {
                    "TableName": self._table,
                    "Item": _to_item(record),
                    "ConditionExpression": "attribute_not_exists(#sk)",
                    "ExpressionAttributeNames": {"#sk": SORT_KEY},
                }
            },
            error,
        )

    def update_definition(
        self,
        kind: Kind,
        name: str,
        definition: dict[str, Any],
        expected_version: int,
        error: WorkflowApiError,
    ) -> Step:
        """Replace the definition if it is still at `expected_version`; `UsedBy` is left alone."""
        return Step(
            {
                "Update": {
                    "TableName": self._table,
                    "Key": _key(kind, name),
                    "UpdateExpression": "SET #def = :d, Version = :nv, Modified = :m",
                    "ConditionExpression": "Version = :v",
                    "ExpressionAttributeNames": {"#def": "Definition"},
                    "ExpressionAttributeValues": {
                        ":d": {"S": json.dumps(definition, separators=(",", ":"), sort_keys=True)},
                        ":v": {"N": str(expected_version)},
                        ":nv": {"N": str(expected_version + 1)},
                        ":m": {"S": now()},
                    },
                }
            },
            error,
        )

    def delete_unused(self, kind: Kind, name: str, expected_version: int, error: WorkflowApiError) -> Step:
        return Step(
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": _key(kind, name),
                    "ConditionExpression": "Version = :v AND attribute_not_exists(UsedBy)",
                    "ExpressionAttributeValues": {":v": {"N": str(expected_version)}},
                }
            },
            error,
        )

    def add_user(self, kind: Kind, name: str, user: str, error: WorkflowApiError) -> Step:
        """Record that `user` references `name`; fails if `name` no longer exists."""
        return self._users(kind, name, "ADD", user, error)

    def remove_user(self, kind: Kind, name: str, user: str, error: WorkflowApiError) -> Step:
        return self._users(kind, name, "DELETE", user, error)

    def _users(self, kind: Kind, name: str, verb: str, user: str, error: WorkflowApiError) -> Step:
        return Step(
            {
                "Update": {
                    "TableName": self._table,
                    "Key": _key(kind, name),
                    "UpdateExpression": f"{verb} UsedBy :u",
                    "ConditionExpression": "attribute_exists(#sk)",
                    "ExpressionAttributeNames": {"#sk": SORT_KEY},
                    "ExpressionAttributeValues": {":u": {"SS": [user]}},
                }
            },
            error,
        )
