"""DynamoDB items that track a paged result while it is being written.

One item per (asset, operator, workflow execution): `SortKey = "PAGES#{operator}#{workflow_id}"`.
Pages of different executions never share an item or an S3 prefix, so they cannot mix. Fields:

- `Mode`: `append` (pages numbered by the dataplane, MIE's way) or `numbered` (the client sends
  `Page`); one result never mixes the two.
- `Next`: pages handed out so far (append mode).
- `Stored` / `Abandoned`: number sets of pages written, and of pages handed out whose write failed.
- `EndPage`: the last page, once the write marked `End` was placed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from api.common.messages import quoted
from api.dataplane import storage_schema as schema
from api.dataplane.errors import ConflictError

APPEND = "append"
NUMBERED = "numbered"


@dataclass(frozen=True)
class PageSession:
    workflow_id: str
    mode: str
    stored: frozenset[int]
    abandoned: frozenset[int]
    end_page: int | None

    @property
    def complete(self) -> bool:
        """True once the end is known and every page up to it was written or given up."""
        if self.end_page is None:
            return False
        placed = self.stored | self.abandoned
        return all(page in placed for page in range(1, self.end_page + 1))

    @property
    def pages(self) -> list[int]:
        """The pages of the result, in order (abandoned ones and any past the end left out)."""
        last = self.end_page if self.end_page is not None else max(self.stored, default=0)
        return sorted(page for page in self.stored if page <= last)


def session_sort_key(operator: str, workflow_id: str) -> str:
    return f"{schema.PAGE_SESSION_SORT_KEY_PREFIX}{operator}#{workflow_id}"


def _numbers(item: dict[str, Any], name: str) -> frozenset[int]:
    return frozenset(int(value) for value in item.get(name, {}).get("NS", []))


def _session(workflow_id: str, item: dict[str, Any]) -> PageSession:
    end = item.get("EndPage", {}).get("N")
    return PageSession(
        workflow_id=workflow_id,
        mode=item.get("Mode", {}).get("S", APPEND),
        stored=_numbers(item, "Stored"),
        abandoned=_numbers(item, "Abandoned"),
        end_page=None if end is None else int(end),
    )


def _failed_condition(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class PageSessions:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def _key(self, asset_id: str, operator: str, workflow_id: str) -> dict[str, Any]:
        return {
            schema.PARTITION_KEY: {"S": asset_id},
            schema.SORT_KEY: {"S": session_sort_key(operator, workflow_id)},
        }

    def get(self, asset_id: str, operator: str, workflow_id: str) -> PageSession | None:
        response = self._db.get_item(
            TableName=self._table, Key=self._key(asset_id, operator, workflow_id), ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else _session(workflow_id, item)

    def _update(
        self, asset_id: str, operator: str, workflow_id: str, expression: str, condition: str, **values: Any
    ) -> dict[str, Any] | None:
        """Run one conditional update; the new item, or None when the condition failed."""
        names = {"#m": "Mode", "#n": "Next", "#s": "Stored", "#a": "Abandoned", "#e": "EndPage"}
        used = {name: path for name, path in names.items() if name in expression or name in condition}
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "Key": self._key(asset_id, operator, workflow_id),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": used,
            "ReturnValues": "ALL_NEW",
        }
        if condition:
            kwargs["ConditionExpression"] = condition
        if values:
            kwargs["ExpressionAttributeValues"] = values
        try:
            response = self._db.update_item(**kwargs)
        except ClientError as exc:
            if _failed_condition(exc):
                return None
            raise
        attributes: dict[str, Any] = response.get("Attributes", {})
        return attributes

    def allocate(self, asset_id: str, operator: str, workflow_id: str) -> int:
        """Hand out the next page number of an appended result.

        Raises ConflictError when the result is numbered by the client or already ended.
        """
        item = self._update(
            asset_id,
            operator,
            workflow_id,
            "SET #m = if_not_exists(#m, :append), #n = if_not_exists(#n, :zero) + :one",
            "(attribute_not_exists(#m) OR #m = :append) AND attribute_not_exists(#e)",
            **{":append": {"S": APPEND}, ":zero": {"N": "0"}, ":one": {"N": "1"}},
        )
        if item is None:
            raise self._conflict(asset_id, operator, workflow_id, None)
        return int(item["Next"]["N"])

    def claim(self, asset_id: str, operator: str, workflow_id: str, page: int, end: bool) -> None:
        """Check that page `page` may be written to a numbered result (ConflictError if not)."""
        within_end = "#e = :page" if end else "#e >= :page"
        item = self._update(
            asset_id,
            operator,
            workflow_id,
            "SET #m = if_not_exists(#m, :numbered)",
            f"(attribute_not_exists(#m) OR #m = :numbered) AND (attribute_not_exists(#e) OR {within_end})",
            **{":numbered": {"S": NUMBERED}, ":page": {"N": str(page)}},
        )
        if item is None:
            raise self._conflict(asset_id, operator, workflow_id, page)

    def record(self, asset_id: str, operator: str, workflow_id: str, page: int, end: bool) -> PageSession:
        """Note that `page` is stored (and is the last one if `end`); returns the session now."""
        values: dict[str, Any] = {":page": {"NS": [str(page)]}}
        expression = "ADD #s :page"
        condition = ""
        if end:
            expression += " SET #e = :last"
            condition = "attribute_not_exists(#e) OR #e = :last"
            values[":last"] = {"N": str(page)}
        item = self._update(asset_id, operator, workflow_id, expression, condition, **values)
        if item is None:
            raise self._conflict(asset_id, operator, workflow_id, page)
        return _session(workflow_id, item)

    def abandon(self, asset_id: str, operator: str, workflow_id: str, page: int) -> None:
        """Give up a handed-out page whose write failed, so the result can still complete."""
        self._update(asset_id, operator, workflow_id, "ADD #a :page", "", **{":page": {"NS": [str(page)]}})

    def delete(self, asset_id: str, operator: str, workflow_id: str) -> None:
        self._db.delete_item(TableName=self._table, Key=self._key(asset_id, operator, workflow_id))

    def _conflict(self, asset_id: str, operator: str, workflow_id: str, page: int | None) -> ConflictError:
        """Say why a page could not be placed, from the session as it is now."""
        session = self.get(asset_id, operator, workflow_id)
        where = f"the paged result of {quoted(operator)} for workflow {quoted(workflow_id)}"
        if session is not None and page is None and session.mode == NUMBERED:
            return ConflictError(f"{where} is numbered by Page; send Page with every page of it")
        if session is not None and page is not None and session.mode == APPEND:
            return ConflictError(f"{where} is appended without Page; send no Page with its pages")
        if session is not None and session.end_page is not None:
            return ConflictError(
                f"{where} is complete: its last page is {session.end_page}; "
                "delete the results of the operator to store it again"
            )
        return ConflictError(f"{where} changed while storing page {page}; retry")
