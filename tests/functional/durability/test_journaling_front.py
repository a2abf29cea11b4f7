"""The journaling front before a real moto server: what it records, and the state a replay rebuilds.

Each test writes through boto3 as the platform's handlers do, then empties moto (as a crash does),
re-creates the resources (as the deployment does) and replays the journal: the state must be the
one the clients were told about.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from medialens.durability.changes import Change, decode
from medialens.durability.journal import Journal, read_records
from medialens.durability.replay import replay
from medialens.runtime.moto_server import MotoServer
from medialens.runtime.sessions import LocalSession
from medialens.state import LocalCredentials

BUCKET, TABLE = "journaled", "journaled"
ROLE = "arn:aws:iam::123456789012:role/states"
MACHINE = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


class Moto:
    def __init__(self, server: MotoServer, journal: Journal) -> None:
        self.server, self.journal = server, journal
        self.url = f"http://127.0.0.1:{server.port}"
        self.session = LocalSession(LocalCredentials("AKIDLOCAL", "secret", "us-east-1"), self.url)

    def client(self, service: str) -> Any:
        return self.session.client(service)

    def provision(self) -> None:
        self.client("s3").create_bucket(Bucket=BUCKET)
        self.client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "Id", "KeyType": "HASH"},
                {"AttributeName": "Sort", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("Id", "Sort")],
            BillingMode="PAY_PER_REQUEST",
        )

    def crash_and_replay(self, folder: Path) -> list[Change]:
        """Forget everything (as a killed process does), re-create the resources, replay the journal."""
        self.server.front.attach(None)
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()
        self.provision()
        return replay(self.session, folder, 0)

    def objects(self) -> dict[str, tuple[bytes, str, dict[str, str]]]:
        s3, found = self.client("s3"), {}
        for entry in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            got = s3.get_object(Bucket=BUCKET, Key=entry["Key"])
            found[entry["Key"]] = (got["Body"].read(), got["ContentType"], got["Metadata"])
        return found

    def items(self) -> list[dict[str, Any]]:
        items = self.client("dynamodb").scan(TableName=TABLE)["Items"]
        return sorted(items, key=lambda item: (item["Id"]["S"], item["Sort"]["S"]))


@pytest.fixture
def moto(tmp_path: Path) -> Iterator[Moto]:
    server = MotoServer()
    server.start()
    journal = Journal(tmp_path)
    made = Moto(server, journal)
    made.provision()
    server.front.attach(journal)
    try:
        yield made
    finally:
        server.front.attach(None)
        journal.close()
        requests.post(f"{made.url}/moto-api/reset", timeout=10)
        server.stop()


def _key(id_: str, sort: str = "-") -> dict[str, Any]:
    return {"Id": {"S": id_}, "Sort": {"S": sort}}


def test_s3_writes_come_back_as_confirmed(moto: Moto, tmp_path: Path) -> None:
    s3 = moto.client("s3")
    s3.put_object(
        Bucket=BUCKET, Key="a/../weird key+1", Body=b"first", ContentType="text/plain", Metadata={"o": "1"}
    )
    s3.put_object(Bucket=BUCKET, Key="a/../weird key+1", Body=b"second", ContentType="text/plain")
    s3.put_object(Bucket=BUCKET, Key="deleted", Body=b"x")
    s3.delete_object(Bucket=BUCKET, Key="deleted")
    for name in ("m1", "m2", "m3"):
        s3.put_object(Bucket=BUCKET, Key=name, Body=name.encode())
    s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "m1"}, {"Key": "m2"}]})
    s3.copy_object(Bucket=BUCKET, Key="copy", CopySource={"Bucket": BUCKET, "Key": "m3"})
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="multi")
    part = s3.upload_part(
        Bucket=BUCKET, Key="multi", UploadId=upload["UploadId"], PartNumber=1, Body=b"p" * (5 * 1024**2)
    )
    s3.complete_multipart_upload(
        Bucket=BUCKET,
        Key="multi",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
    )
    expected = moto.objects()
    moto.crash_and_replay(tmp_path)
    assert moto.objects() == expected
    assert set(expected) == {"a/../weird key+1", "m3", "copy", "multi"}
    assert expected["a/../weird key+1"][0] == b"second"


def test_dynamodb_writes_replay_to_the_same_items(moto: Moto, tmp_path: Path) -> None:
    db = moto.client("dynamodb")
    db.put_item(TableName=TABLE, Item={**_key("put"), "V": {"N": "1"}})
    for _ in range(3):  # a counter: replaying requests would need their order; states do not
        db.update_item(
            TableName=TABLE,
            Key=_key("counter"),
            UpdateExpression="ADD Running :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
    with pytest.raises(ClientError):
        db.put_item(
            TableName=TABLE,
            Item={**_key("put"), "V": {"N": "9"}},
            ConditionExpression="attribute_not_exists(Id)",
        )
    db.put_item(TableName=TABLE, Item={**_key("gone"), "V": {"N": "1"}})
    db.delete_item(TableName=TABLE, Key=_key("gone"))
    db.batch_write_item(
        RequestItems={
            TABLE: [{"PutRequest": {"Item": {**_key("batch", str(n)), "N": {"N": str(n)}}}} for n in range(3)]
        }
    )
    db.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {**_key("tx"), "V": {"S": "a"}}}},
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": _key("counter"),
                    "UpdateExpression": "ADD Running :m",
                    "ExpressionAttributeValues": {":m": {"N": "-1"}},
                }
            },
            {"Delete": {"TableName": TABLE, "Key": _key("batch", "0")}},
        ]
    )
    expected = moto.items()
    moto.crash_and_replay(tmp_path)
    assert moto.items() == expected
    counter = next(item for item in expected if item["Id"]["S"] == "counter")
    assert counter["Running"] == {"N": "2"}


# Every DynamoDB attribute type, binary nested in maps, lists and sets among them.
EVERY_TYPE = {
    "N": {"N": "1.50"},
    "B": {"B": b"\x00\xffbytes"},
    "SS": {"SS": ["a", "b"]},
    "NS": {"NS": ["1", "2.5"]},
    "BS": {"BS": [b"\x01", b"\x02x"]},
    "M": {
        "M": {
            "inner": {"B": b"\x03"},
            "list": {"L": [{"S": "q"}, {"B": b"\x04"}, {"M": {"z": {"BS": [b"\x05"]}}}, {"NULL": True}]},
        }
    },
    "BOOL": {"BOOL": True},
    "NULL": {"NULL": True},
    "L": {"L": [{"N": "3"}, {"SS": ["k"]}, {"BOOL": False}]},
    "Empty": {"S": ""},
}


def test_journaled_items_are_what_get_item_answers_for_every_attribute_type(
    moto: Moto, tmp_path: Path
) -> None:
    db = moto.client("dynamodb")
    db.put_item(TableName=TABLE, Item={**_key("typed"), **EVERY_TYPE})
    db.update_item(
        TableName=TABLE,
        Key=_key("typed"),
        UpdateExpression="SET M.added = :b ADD NS :n",
        ExpressionAttributeValues={":b": {"B": b"\x09"}, ":n": {"NS": ["7"]}},
    )
    confirmed = db.get_item(TableName=TABLE, Key=_key("typed"), ConsistentRead=True)["Item"]
    moto.journal.close()

    journaled = [change for record in read_records(tmp_path) for change in decode(record)]
    # The record holds the item as the GetItem wire format has it (binary as base64 text).
    wire = requests.post(
        moto.url,
        json={"TableName": TABLE, "Key": _key("typed"), "ConsistentRead": True},
        headers={
            "X-Amz-Target": "DynamoDB_20120810.GetItem",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 "
            "Credential=AKIDLOCAL/20000101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
        },
        timeout=10,
    ).json()["Item"]
    assert journaled[-1].item == wire
    moto.crash_and_replay(tmp_path)
    assert db.get_item(TableName=TABLE, Key=_key("typed"), ConsistentRead=True)["Item"] == confirmed


def test_items_under_a_binary_key_are_journaled(moto: Moto, tmp_path: Path) -> None:
    db = moto.client("dynamodb")
    db.create_table(
        TableName="binary-keys",
        KeySchema=[{"AttributeName": "Id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "Id", "AttributeType": "B"}],
        BillingMode="PAY_PER_REQUEST",
    )
    db.put_item(TableName="binary-keys", Item={"Id": {"B": b"\x01\x02"}, "V": {"S": "kept"}})
    moto.journal.close()

    journaled = [change for record in read_records(tmp_path) for change in decode(record)]
    assert journaled[-1].item == {"Id": {"B": "AQI="}, "V": {"S": "kept"}}


def test_state_machines_are_created_updated_and_deleted_again(moto: Moto, tmp_path: Path) -> None:
    sfn = moto.client("stepfunctions")
    kept = sfn.create_state_machine(name="kept", definition=json.dumps(MACHINE), roleArn=ROLE)[
        "stateMachineArn"
    ]
    changed = {**MACHINE, "Comment": "updated"}
    sfn.update_state_machine(stateMachineArn=kept, definition=json.dumps(changed))
    dropped = sfn.create_state_machine(name="dropped", definition=json.dumps(MACHINE), roleArn=ROLE)
    sfn.delete_state_machine(stateMachineArn=dropped["stateMachineArn"])
    moto.crash_and_replay(tmp_path)
    machines = sfn.list_state_machines()["stateMachines"]
    assert [machine["name"] for machine in machines] == ["kept"]
    assert json.loads(sfn.describe_state_machine(stateMachineArn=kept)["definition"]) == changed


def test_reads_and_refused_writes_are_not_journaled(moto: Moto, tmp_path: Path) -> None:
    db, s3 = moto.client("dynamodb"), moto.client("s3")
    db.get_item(TableName=TABLE, Key=_key("nothing"))
    s3.list_objects_v2(Bucket=BUCKET)
    with pytest.raises(ClientError):
        db.update_item(
            TableName=TABLE,
            Key=_key("x"),
            UpdateExpression="SET V = :v",
            ConditionExpression="attribute_exists(Id)",
            ExpressionAttributeValues={":v": {"S": "v"}},
        )
    with pytest.raises(ClientError):
        s3.put_object(Bucket="no-such-bucket", Key="k", Body=b"")
    assert list(read_records(tmp_path)) == []


def test_replay_skips_resources_the_deployment_no_longer_has(moto: Moto, tmp_path: Path) -> None:
    moto.client("s3").put_object(Bucket=BUCKET, Key="k", Body=b"v")
    moto.client("dynamodb").put_item(TableName=TABLE, Item=_key("i"))
    moto.server.front.attach(None)
    requests.post(f"{moto.url}/moto-api/reset", timeout=10).raise_for_status()
    assert replay(moto.session, tmp_path, 0) == []
