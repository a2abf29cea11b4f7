"""moto answers the same with `medialens.runtime.moto_responses` installed as without it.

The same DynamoDB requests (items of every attribute type, transactions that succeed, fail a
condition, or name an item twice) go to moto's WSGI app in-process, once stock and once tuned;
every answer must be byte-identical, and failed transactions must leave every item as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.test import Client

from medialens.runtime import moto_responses

pytestmark = pytest.mark.local

TABLE = "answers"
_AUTH = (
    "AWS4-HMAC-SHA256 Credential=test/20000101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host, Signature=0"
)
KEY_A1 = {"pk": {"S": "a"}, "sk": {"S": "1"}}


@pytest.fixture
def restore_tuning() -> Iterator[None]:
    installed = bool(moto_responses._originals)
    yield
    (moto_responses.install if installed else moto_responses.uninstall)()


class Dynamo:
    def __init__(self) -> None:
        self._client = Client(DomainDispatcherApplication(create_backend_app))

    def reset(self) -> None:
        self._client.post("/moto-api/reset", headers={"Host": "127.0.0.1"})

    def call(self, action: str, body: dict[str, Any]) -> tuple[int, bytes]:
        response = self._client.post(
            "/",
            data=json.dumps(body),
            headers={
                "Host": "dynamodb.us-east-1.amazonaws.com",
                "X-Amz-Target": f"DynamoDB_20120810.{action}",
                "Content-Type": "application/x-amz-json-1.0",
                "Authorization": _AUTH,
            },
        )
        return response.status_code, response.get_data()


def _item(pk: str, sk: str, **more: Any) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, **more}


RICH = _item(
    "a",
    "1",
    Config={"M": {"Stage": {"M": {"Op": {"M": {"Enabled": {"BOOL": True}, "MediaType": {"S": "Video"}}}}}}},
    Tags={"SS": ["x", "y"]},
    Sizes={"NS": ["1", "2.5"]},
    Blob={"B": "AAEC"},
    Nothing={"NULL": True},
    List={"L": [{"S": "one"}, {"N": "2"}, {"M": {"k": {"S": "v"}}}]},
    Count={"N": "7"},
)
FAILING_CONDITION = {
    "TransactItems": [
        {"Put": {"TableName": TABLE, "Item": _item("new", "1", Count={"N": "1"})}},
        {"Put": {"TableName": TABLE, "Item": _item("fresh-hash", "9")}},
        {
            "Update": {
                "TableName": TABLE,
                "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
                "UpdateExpression": "SET #c = #c + :one",
                "ExpressionAttributeNames": {"#c": "Count"},
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
        {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "b"}, "sk": {"S": "1"}}}},
        {
            "ConditionCheck": {
                "TableName": TABLE,
                "Key": {"pk": {"S": "b"}, "sk": {"S": "2"}},
                "ConditionExpression": "attribute_not_exists(pk)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
    ]
}
SAME_ITEM_TWICE = {
    "TransactItems": [
        {"Put": {"TableName": TABLE, "Item": _item("twice", "1")}},
        {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "twice"}, "sk": {"S": "1"}}}},
    ]
}
SUCCEEDING = {
    "TransactItems": [
        {"Put": {"TableName": TABLE, "Item": _item("c", "1", Count={"N": "3"})}},
        {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "b"}, "sk": {"S": "1"}}}},
    ]
}
EVERYTHING = {"TableName": TABLE, "ConsistentRead": True}


def _session(dynamo: Dynamo) -> list[tuple[str, int, bytes]]:
    dynamo.reset()
    dynamo.call(
        "CreateTable",
        {
            "TableName": TABLE,
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    requests: list[tuple[str, dict[str, Any]]] = [
        ("PutItem", {"TableName": TABLE, "Item": RICH}),
        ("PutItem", {"TableName": TABLE, "Item": _item("b", "1")}),
        ("PutItem", {"TableName": TABLE, "Item": _item("b", "2")}),
        ("GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}}),
        ("TransactWriteItems", FAILING_CONDITION),
        ("Scan", EVERYTHING),
        ("TransactWriteItems", SAME_ITEM_TWICE),
        ("Scan", EVERYTHING),
        ("TransactWriteItems", SUCCEEDING),
        ("Scan", EVERYTHING),
        (
            "Query",
            {
                "TableName": TABLE,
                "KeyConditionExpression": "pk = :a",
                "ExpressionAttributeValues": {":a": {"S": "a"}},
            },
        ),
        ("BatchGetItem", {"RequestItems": {TABLE: {"Keys": [{"pk": {"S": "a"}, "sk": {"S": "1"}}]}}}),
        (
            "DeleteItem",
            {"TableName": TABLE, "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}, "ReturnValues": "ALL_OLD"},
        ),
    ]
    return [(action, *dynamo.call(action, body)) for action, body in requests]


def test_answers_are_byte_identical_stock_and_tuned(restore_tuning: None) -> None:
    dynamo = Dynamo()
    moto_responses.uninstall()
    stock = _session(dynamo)
    moto_responses.install()
    tuned = _session(dynamo)
    assert [answer[:2] for answer in tuned] == [answer[:2] for answer in stock]
    assert tuned == stock


def test_failed_transactions_leave_every_item_as_it_was(restore_tuning: None) -> None:
    moto_responses.install()
    answers = {index: answer for index, answer in enumerate(_session(Dynamo()))}
    before, after_condition, after_twice = (json.loads(answers[i][2]) for i in (3, 5, 7))
    assert answers[4][1] == 400 and b"TransactionCanceledException" in answers[4][2]
    assert answers[6][1] == 400  # the same item named twice: moto's ValidationException
    items = after_condition["Items"]
    assert {(item["pk"]["S"], item["sk"]["S"]) for item in items} == {("a", "1"), ("b", "1"), ("b", "2")}
    assert next(item for item in items if item["pk"]["S"] == "a") == before["Item"]  # Count still 7
    assert after_twice == after_condition


def test_a_transaction_copies_no_table(restore_tuning: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(table: Table, memo: Any) -> Table:
        raise AssertionError("a whole table was deep-copied")

    monkeypatch.setattr(Table, "__deepcopy__", refuse, raising=False)
    moto_responses.install()
    answers = _session(Dynamo())
    assert [status for action, status, _ in answers if action == "TransactWriteItems"] == [400, 400, 200]
