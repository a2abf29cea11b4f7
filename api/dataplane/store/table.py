"""DynamoDB access for the dataplane table: asset items and per-operator result pointers.

Shapes are in `api.dataplane.storage_schema`. Pointers are written with optimistic concurrency
(a `Version` counter) because pages of one operator may be stored in parallel.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from api.dataplane import storage_schema as schema

_WRITE_BATCH = 25  # BatchWriteItem takes at most 25 requests
_ASSET_LIST_VALUE = "ASSETS"


@dataclass(frozen=True)
class AssetRecord:
    asset_id: str
    created: str
    bucket: str
    key: str
    media_type: str | None = None


@dataclass(frozen=True)
class Pointer:
    asset_id: str
    operator: str
    workflow_id: str
    pages: int
    complete: bool
    prefix: str
    updated: str = ""
    version: int = 0


def _key(asset_id: str, sort_key: str) -> dict[str, Any]:
    return {schema.PARTITION_KEY: {"S": asset_id}, schema.SORT_KEY: {"S": sort_key}}


def _pointer_sort_key(operator: str) -> str:
    return f"{schema.OPERATOR_SORT_KEY_PREFIX}{operator}"


def _pointer_from_item(item: dict[str, Any]) -> Pointer:
    return Pointer(
        asset_id=item[schema.PARTITION_KEY]["S"],
        operator=item[schema.SORT_KEY]["S"][len(schema.OPERATOR_SORT_KEY_PREFIX) :],
        workflow_id=item["WorkflowId"]["S"],
        pages=int(item["Pages"]["N"]),
        complete=item["Complete"]["BOOL"],
        prefix=item["Prefix"]["S"],
        updated=item.get("Updated", {}).get("S", ""),
        version=int(item.get("Version", {}).get("N", "0")),
    )


def _is_condition_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class AssetTable:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._db = dynamodb
        self._table = table

    # -- assets -----------------------------------------------------------------------------
    def put_asset(self, asset: AssetRecord) -> None:
        item = {
            **_key(asset.asset_id, schema.ASSET_SORT_KEY),
            schema.ASSET_LIST_PARTITION: {"S": _ASSET_LIST_VALUE},
            schema.ASSET_LIST_SORT: {"S": asset.created},
            "S3Bucket": {"S": asset.bucket},
            "S3Key": {"S": asset.key},
        }
        if asset.media_type is not None:
            item["MediaType"] = {"S": asset.media_type}
        self._db.put_item(
            TableName=self._table,
            Item=item,
            ConditionExpression="attribute_not_exists(#pk)",
            ExpressionAttributeNames={"#pk": schema.PARTITION_KEY},
        )

    def get_asset(self, asset_id: str) -> AssetRecord | None:
        response = self._db.get_item(
            TableName=self._table, Key=_key(asset_id, schema.ASSET_SORT_KEY), ConsistentRead=True
        )
        item = response.get("Item")
        if item is None:
            return None
        return AssetRecord(
            asset_id=asset_id,
            created=item[schema.ASSET_LIST_SORT]["S"],
            bucket=item["S3Bucket"]["S"],
            key=item["S3Key"]["S"],
            media_type=item.get("MediaType", {}).get("S"),
        )

    def list_assets(
        self, limit: int, after: tuple[str, str] | None
    ) -> tuple[list[str], tuple[str, str] | None]:
        """Up to `limit` asset ids, newest first, and the (asset id, created) to continue after."""
        found: list[tuple[str, str]] = []
        start = None
        if after is not None:
            asset_id, created = after
            start = {
                **_key(asset_id, schema.ASSET_SORT_KEY),
                schema.ASSET_LIST_PARTITION: {"S": _ASSET_LIST_VALUE},
                schema.ASSET_LIST_SORT: {"S": created},
            }
        # Ask for one more than needed: only then do we know whether a next page exists,
        # so the last page never carries a cursor to an empty one.
        while len(found) <= limit:
            kwargs: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": schema.ASSET_LIST_INDEX,
                "KeyConditionExpression": "#p = :p",
                "ExpressionAttributeNames": {"#p": schema.ASSET_LIST_PARTITION},
                "ExpressionAttributeValues": {":p": {"S": _ASSET_LIST_VALUE}},
                "ScanIndexForward": False,
                "Limit": limit + 1 - len(found),
            }
            if start is not None:
                kwargs["ExclusiveStartKey"] = start
            response = self._db.query(**kwargs)
            for item in response.get("Items", []):
                found.append((item[schema.PARTITION_KEY]["S"], item[schema.ASSET_LIST_SORT]["S"]))
            start = response.get("LastEvaluatedKey")
            if start is None:
                break
        page = found[:limit]
        return [asset_id for asset_id, _ in page], (page[-1] if len(found) > limit else None)

    # -- operator pointers --------------------------------------------------------------------
    def get_pointer(self, asset_id: str, operator: str) -> Pointer | None:
        response = self._db.get_item(
            TableName=self._table, Key=_key(asset_id, _pointer_sort_key(operator)), ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else _pointer_from_item(item)

    def list_pointers(self, asset_id: str) -> list[Pointer]:
        """All pointers of an asset, ordered by operator name."""
        return [
            _pointer_from_item(item)
            for item in self._query_asset(asset_id, schema.OPERATOR_SORT_KEY_PREFIX)
            if item[schema.SORT_KEY]["S"].startswith(schema.OPERATOR_SORT_KEY_PREFIX)
        ]

    def put_pointer(self, pointer: Pointer, expected_version: int | None) -> bool:
        """Write `pointer` if the stored one still has `expected_version` (None: must not exist).

        Returns False when another writer got there first; the caller re-reads and retries.
        """
        item = {
            **_key(pointer.asset_id, _pointer_sort_key(pointer.operator)),
            "WorkflowId": {"S": pointer.workflow_id},
            "Pages": {"N": str(pointer.pages)},
            "Complete": {"BOOL": pointer.complete},
            "Prefix": {"S": pointer.prefix},
            "Updated": {"S": pointer.updated},
            "Version": {"N": str(pointer.version)},
        }
        if expected_version is None:
            condition: dict[str, Any] = {
                "ConditionExpression": "attribute_not_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": schema.PARTITION_KEY},
            }
        else:
            condition = {
                "ConditionExpression": "#v = :v",
                "ExpressionAttributeNames": {"#v": "Version"},
                "ExpressionAttributeValues": {":v": {"N": str(expected_version)}},
            }
        try:
            self._db.put_item(TableName=self._table, Item=item, **condition)
        except ClientError as exc:
            if _is_condition_failure(exc):
                return False
            raise
        return True

    def delete_pointer(self, pointer: Pointer) -> bool:
        """Delete `pointer` unless it changed since it was read (False then)."""
        try:
            self._db.delete_item(
                TableName=self._table,
                Key=_key(pointer.asset_id, _pointer_sort_key(pointer.operator)),
                ConditionExpression="#v = :v",
                ExpressionAttributeNames={"#v": "Version"},
                ExpressionAttributeValues={":v": {"N": str(pointer.version)}},
            )
        except ClientError as exc:
            if _is_condition_failure(exc):
                return False
            raise
        return True

    # -- whole asset ----------------------------------------------------------------------------
    def has_items(self, asset_id: str) -> bool:
        return next(self._query_asset(asset_id, None), None) is not None

    def delete_asset_items(self, asset_id: str) -> int:
        keys = [
            {schema.PARTITION_KEY: item[schema.PARTITION_KEY], schema.SORT_KEY: item[schema.SORT_KEY]}
            for item in self._query_asset(asset_id, None)
        ]
        # The asset item goes last, so an interrupted delete can be retried (the asset still exists).
        keys.sort(key=lambda k: k[schema.SORT_KEY]["S"] == schema.ASSET_SORT_KEY)
        for start in range(0, len(keys), _WRITE_BATCH):
            requests = [{"DeleteRequest": {"Key": key}} for key in keys[start : start + _WRITE_BATCH]]
            pending: dict[str, Any] = {self._table: requests}
            while pending:
                response = self._db.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
        return len(keys)

    def _query_asset(self, asset_id: str, sort_prefix: str | None) -> Iterator[dict[str, Any]]:
        condition = "#pk = :pk"
        values: dict[str, Any] = {":pk": {"S": asset_id}}
        names = {"#pk": schema.PARTITION_KEY}
        if sort_prefix is not None:
            condition += " AND begins_with(#sk, :sk)"
            values[":sk"] = {"S": sort_prefix}
            names["#sk"] = schema.SORT_KEY
        paginator = self._db.get_paginator("query")
        pages = paginator.paginate(
            TableName=self._table,
            KeyConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ConsistentRead=True,
        )
        for page in pages:
            yield from page.get("Items", [])
