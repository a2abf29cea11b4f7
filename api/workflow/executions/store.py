"""Execution records: create, read, list, and the guarded status transitions (key design in `schema`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.table import BatchWriter
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from api.workflow.executions.schema import (
    BY_ASSET_ID,
    BY_STATUS,
    ID,
    ExecutionStatus,
    operator_item_id,
)

Cursor = str | None
_JSON_FIELDS = ("Input", "Configuration", "Stages")


def _operator_item(execution_id: str, stage: str, outcome: OperatorOutcome) -> dict[str, Any]:
    item: dict[str, Any] = {
        ID: {"S": operator_item_id(execution_id, stage, outcome.name)},
        "OperatorName": {"S": outcome.name},
        "StageName": {"S": stage},
        "OperatorStatus": {"S": outcome.status},
        "Output": {"S": _dumps(outcome.output)},
        "Recorded": {"S": now()},
    }
    if outcome.message:
        item["Message"] = {"S": outcome.message}
    return item


_serialize = TypeSerializer().serialize
_deserialize = TypeDeserializer().deserialize


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _condition_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _newest_first_key(record: dict[str, Any]) -> tuple[str, str]:
    return (record["Created"], record[ID])


def _decode(item: dict[str, Any]) -> dict[str, Any]:
    record = {key: _deserialize(value) for key, value in item.items()}
    for field in _JSON_FIELDS:
        if isinstance(record.get(field), str):
            record[field] = json.loads(record[field])
    return record


@dataclass(frozen=True)
class OperatorOutcome:
    """What one operator of a stage ended with; `output` is its whole output object."""

    name: str
    status: str
    message: str | None = None
    output: Any = None


class ExecutionStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # writes

    def create(
        self,
        *,
        execution_id: str,
        workflow: str,
        asset_id: str,
        state_machine_arn: str,
        input: dict[str, Any],
        configuration: dict[str, Any],
        stages: Sequence[dict[str, Any]],
    ) -> dict[str, Any]:
        stamp = now()
        item = {
            ID: {"S": execution_id},
            "Workflow": {"S": workflow},
            "AssetId": {"S": asset_id},
            "Status": {"S": ExecutionStatus.QUEUED.value},
            "Created": {"S": stamp},
            "Modified": {"S": stamp},
            "StateMachineArn": {"S": state_machine_arn},
            "Input": {"S": _dumps(input)},
            "Configuration": {"S": _dumps(configuration)},
            "Stages": {"S": _dumps(list(stages))},
            "StageStatus": {"M": {stage["Name"]: {"S": "Not Started"} for stage in stages}},
        }
        self._client.put_item(
            TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(Id)"
        )
        return _decode(item)

    def transition_item(
        self,
        execution_id: str,
        allowed: Iterable[ExecutionStatus],
        status: ExecutionStatus,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The `update_item` arguments that set `status` if the current one is in `allowed`.

        Used alone (`transition`) or as an `Update` of a transaction with the slot counter.
        """
        names = {"#s": "Status"}
        values: dict[str, Any] = {":new": {"S": status.value}, ":m": {"S": now()}}
        sets = ["#s = :new", "Modified = :m"]
        for index, (key, value) in enumerate((extra or {}).items()):
            names[f"#x{index}"] = key
            values[f":x{index}"] = _serialize(value)
            sets.append(f"#x{index} = :x{index}")
        placeholders = []
        for index, old in enumerate(allowed):
            values[f":a{index}"] = {"S": old.value}
            placeholders.append(f":a{index}")
        return {
            "TableName": self._table,
            "Key": {ID: {"S": execution_id}},
            "UpdateExpression": "SET " + ", ".join(sets),
            "ConditionExpression": f"attribute_exists(Id) AND #s IN ({', '.join(placeholders)})",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def transition(
        self,
        execution_id: str,
        allowed: Iterable[ExecutionStatus],
        status: ExecutionStatus,
        extra: dict[str, Any] | None = None,
    ) -> ExecutionStatus | None:
        """Set `status` if the current one is in `allowed`; the previous status, or None if not."""
        try:
            response = self._client.update_item(
                **self.transition_item(execution_id, allowed, status, extra), ReturnValues="ALL_OLD"
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return None
            raise
        return ExecutionStatus(response["Attributes"]["Status"]["S"])

    def transact(self, items: list[dict[str, Any]]) -> list[str] | None:
        """Run a write transaction; None on success, else each item's cancellation code ("None": passed)."""
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons") or []
            return [str(reason.get("Code", "None")) for reason in reasons] or ["Unknown"] * len(items)
        return None

    def finish_queued(self, execution_id: str, status: ExecutionStatus, reason: str | None = None) -> bool:
        """Queued -> `status` (a Queued execution holds no slot); False if it was not Queued."""
        extra = {"Error": reason} if reason else None
        return self.transition(execution_id, [ExecutionStatus.QUEUED], status, extra) is not None

    def set_execution_arn(self, execution_id: str, arn: str) -> dict[str, Any]:
        """Records the machine execution's ARN; returns the record as it is after that write.

        The answer spares the caller a read: one write, not a write and a consistent read.
        """
        updated = self._client.update_item(
            TableName=self._table,
            Key={ID: {"S": execution_id}},
            UpdateExpression="SET ExecutionArn = :arn",
            ConditionExpression="attribute_exists(Id)",
            ExpressionAttributeValues={":arn": {"S": arn}},
            ReturnValues="ALL_NEW",
        )
        return _decode(updated["Attributes"])

    def record_stage(
        self, execution_id: str, stage: str, stage_status: str, outcomes: Sequence[OperatorOutcome]
    ) -> None:
        """One item per operator (idempotent puts, batched), then the stage's status on the execution.

        boto3's `BatchWriter` sends up to 25 items per BatchWriteItem and sends again what DynamoDB
        left unprocessed, so a stage of N operators costs one write request, not N.
        """
        with BatchWriter(self._table, self._client, flush_amount=25) as batch:
            for outcome in outcomes:
                batch.put_item(Item=_operator_item(execution_id, stage, outcome))
        self._client.update_item(
            TableName=self._table,
            Key={ID: {"S": execution_id}},
            UpdateExpression="SET StageStatus.#stage = :st, Modified = :m",
            ConditionExpression="attribute_exists(Id)",
            ExpressionAttributeNames={"#stage": stage},
            ExpressionAttributeValues={":st": {"S": stage_status}, ":m": {"S": now()}},
        )

    # reads

    def get(self, execution_id: str) -> dict[str, Any] | None:
        item = self._client.get_item(
            TableName=self._table, Key={ID: {"S": execution_id}}, ConsistentRead=True
        ).get("Item")
        if not item or "Status" not in item:  # operator and counter items are not executions
            return None
        return _decode(item)

    def operator_outcomes(self, record: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
        """{stage: {operator: {"Status", "Message"?, "Output"}}} for the operators recorded so far."""
        keys = [
            {ID: {"S": operator_item_id(record[ID], stage["Name"], op)}}
            for stage in record.get("Stages", [])
            for op in stage["Operations"]
        ]
        found: dict[str, dict[str, dict[str, Any]]] = {}
        for start in range(0, len(keys), 100):
            batch = keys[start : start + 100]
            request: dict[str, Any] = {self._table: {"Keys": batch, "ConsistentRead": True}}
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table, []):
                    value = {key: _deserialize(attr) for key, attr in item.items()}
                    entry = {"Status": value["OperatorStatus"], "Output": json.loads(value["Output"])}
                    if "Message" in value:
                        entry["Message"] = value["Message"]
                    found.setdefault(value["StageName"], {})[value["OperatorName"]] = entry
                request = response.get("UnprocessedKeys") or {}
        return found

    def page(self, limit: int, after: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """Every execution, newest first: the `ByStatus` index of each status, merged.

        The order is (Created, Id) descending, so equal timestamps still have one order; `after`
        is the last Id of the previous page. An execution that changes status between two pages
        keeps its place (its Created does not change).
        """
        bound: tuple[str, str] | None = None
        if after:
            record = self.get(after)
            if record is None:
                return [], None
            bound = (record["Created"], record[ID])
        found: list[dict[str, Any]] = []
        for status in ExecutionStatus:
            found += self._newest_of_status(status.value, limit + 1, bound)
        found.sort(key=_newest_first_key, reverse=True)
        if len(found) > limit:
            return found[:limit], found[limit - 1][ID]
        return found, None

    def _newest_of_status(
        self, status: str, count: int, bound: tuple[str, str] | None
    ) -> list[dict[str, Any]]:
        """The first `count` executions of `status` in (Created, Id) descending order, below `bound`."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BY_STATUS,
            "KeyConditionExpression": "#s = :s",
            "ExpressionAttributeNames": {"#s": "Status"},
            "ExpressionAttributeValues": {":s": {"S": status}},
            "ScanIndexForward": False,
            "Limit": max(count, 10),
        }
        if bound is not None:
            request["KeyConditionExpression"] += " AND Created <= :c"
            request["ExpressionAttributeValues"][":c"] = {"S": bound[0]}
        kept: list[dict[str, Any]] = []
        while True:
            response = self._client.query(**request)
            items = [_decode(item) for item in response.get("Items", [])]
            kept += [r for r in items if bound is None or _newest_first_key(r) < bound]
            kept.sort(key=_newest_first_key, reverse=True)
            start = response.get("LastEvaluatedKey")
            # The index orders by Created only: read past every item that ties with the last kept one.
            if start is None or (
                len(kept) >= count and items and items[-1]["Created"] < kept[count - 1]["Created"]
            ):
                return kept[:count]
            request["ExclusiveStartKey"] = start

    def by_index(
        self, index: str, key: str, value: str, limit: int, after: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Executions of one AssetId or Status, newest first."""
        start = None
        if after:
            record = self.get(after)
            if record is None or record.get(key) != value:
                return [], None
            start = {ID: {"S": after}, key: {"S": value}, "Created": {"S": record["Created"]}}
        return self._collect(
            {
                "TableName": self._table,
                "IndexName": index,
                "KeyConditionExpression": "#k = :v",
                "ExpressionAttributeNames": {"#k": key},
                "ExpressionAttributeValues": {":v": {"S": value}},
                "ScanIndexForward": False,
            },
            limit,
            start,
        )

    def by_asset(self, asset_id: str, limit: int, after: str | None) -> tuple[list[dict[str, Any]], Cursor]:
        return self.by_index(BY_ASSET_ID, "AssetId", asset_id, limit, after)

    def by_status(self, status: str, limit: int, after: str | None) -> tuple[list[dict[str, Any]], Cursor]:
        return self.by_index(BY_STATUS, "Status", status, limit, after)

    def count_by_status(self, status: str, *, consistent: bool) -> int:
        """How many executions have `status`: from the index, or (`consistent`) a strongly consistent Scan."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "Select": "COUNT",
            "ExpressionAttributeNames": {"#s": "Status"},
            "ExpressionAttributeValues": {":v": {"S": status}},
        }
        if consistent:
            request.update(FilterExpression="#s = :v", ConsistentRead=True)
        else:
            request.update(IndexName=BY_STATUS, KeyConditionExpression="#s = :v")
        call = self._client.scan if consistent else self._client.query
        total = 0
        while True:
            response = call(**request)
            total += int(response.get("Count", 0))
            if "LastEvaluatedKey" not in response:
                return total
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _collect(
        self, request: dict[str, Any], limit: int, start: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        # One record beyond the page tells whether a cursor is worth offering.
        records: list[dict[str, Any]] = []
        while len(records) <= limit:
            page = dict(request, Limit=max(limit + 1 - len(records), 10))
            if start is not None:
                page["ExclusiveStartKey"] = start
            response = self._client.query(**page)
            records.extend(_decode(item) for item in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if start is None:
                break
        if len(records) > limit:
            return records[:limit], records[limit - 1][ID]
        return records, None
