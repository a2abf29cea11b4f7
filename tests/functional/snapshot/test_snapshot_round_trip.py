"""Saving and restoring the platform's S3 objects and DynamoDB items across restarts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from medialens import snapshot

TABLE_KEYS = {
    "KeySchema": [{"AttributeName": "Id", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "Id", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.Session]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


def _provision(session: boto3.Session) -> None:
    session.client("s3").create_bucket(Bucket="data")
    session.client("dynamodb").create_table(TableName="items", **TABLE_KEYS)


def _wipe(session: boto3.Session) -> None:
    """Remove every bucket and table, as stopping the in-memory backend does."""
    s3 = session.client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        for entry in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", []):
            s3.delete_object(Bucket=bucket["Name"], Key=entry["Key"])
        s3.delete_bucket(Bucket=bucket["Name"])
    dynamodb = session.client("dynamodb")
    for table in dynamodb.list_tables()["TableNames"]:
        dynamodb.delete_table(TableName=table)


def test_objects_and_items_survive_a_restart(session: boto3.Session, tmp_path: Path) -> None:
    _provision(session)
    s3 = session.client("s3")
    keys = ["private/assets/a/input/x.mp4", "weird/../key with spaces", "upload/b.json"]
    for index, key in enumerate(keys):
        s3.put_object(Bucket="data", Key=key, Body=bytes([index]) * 10, ContentType="video/mp4")
    dynamodb = session.client("dynamodb")
    for index in range(30):  # more than one BatchWriteItem
        dynamodb.put_item(TableName="items", Item={"Id": {"S": f"id-{index}"}, "N": {"N": str(index)}})

    counts = snapshot.save(session, tmp_path / "snap")
    assert counts == {"objects": 3, "items": 30}

    _wipe(session)
    _provision(session)
    assert snapshot.restore(session, tmp_path / "snap") == {"objects": 3, "items": 30}
    for index, key in enumerate(keys):
        restored = s3.get_object(Bucket="data", Key=key)
        assert restored["Body"].read() == bytes([index]) * 10
        assert restored["ContentType"] == "video/mp4"
    item = dynamodb.get_item(TableName="items", Key={"Id": {"S": "id-29"}})["Item"]
    assert item["N"] == {"N": "29"}


def test_blob_names_never_come_from_keys(session: boto3.Session, tmp_path: Path) -> None:
    _provision(session)
    session.client("s3").put_object(Bucket="data", Key="../../escape", Body=b"x")
    snapshot.save(session, tmp_path / "snap")
    written = {path.name for path in (tmp_path / "snap" / "objects").iterdir()}
    assert len(written) == 1
    assert all(len(name) == 64 for name in written)
    assert not (tmp_path / "escape").exists()


def test_restore_skips_resources_the_deployment_no_longer_has(session: boto3.Session, tmp_path: Path) -> None:
    _provision(session)
    session.client("s3").put_object(Bucket="data", Key="k", Body=b"x")
    snapshot.save(session, tmp_path / "snap")
    _wipe(session)
    assert snapshot.restore(session, tmp_path / "snap") == {"objects": 0, "items": 0}


def test_a_second_save_replaces_the_first_whole(session: boto3.Session, tmp_path: Path) -> None:
    _provision(session)
    s3 = session.client("s3")
    s3.put_object(Bucket="data", Key="old", Body=b"1")
    snapshot.save(session, tmp_path / "snap")
    s3.delete_object(Bucket="data", Key="old")
    s3.put_object(Bucket="data", Key="new", Body=b"2")
    snapshot.save(session, tmp_path / "snap")
    _wipe(session)
    _provision(session)
    snapshot.restore(session, tmp_path / "snap")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="data")["Contents"]] == ["new"]
    assert not (tmp_path / "snap.new").exists()
    assert not (tmp_path / "snap.old").exists()


def test_restore_without_a_snapshot_is_a_no_op(session: boto3.Session, tmp_path: Path) -> None:
    assert snapshot.restore(session, tmp_path / "missing") == {"objects": 0, "items": 0}


def test_state_machines_come_back_under_the_same_arn(session: boto3.Session, tmp_path: Path) -> None:
    iam = session.client("iam")
    role = iam.create_role(RoleName="states", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    sfn = session.client("stepfunctions")
    definition = '{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}'
    arn = sfn.create_state_machine(name="medialens-Kept", definition=definition, roleArn=role)[
        "stateMachineArn"
    ]
    snapshot.save(session, tmp_path / "snap")

    sfn.delete_state_machine(stateMachineArn=arn)
    snapshot.restore(session, tmp_path / "snap")
    restored = sfn.describe_state_machine(stateMachineArn=arn)
    assert restored["definition"] == definition
    assert restored["roleArn"] == role
    # Restoring onto a machine that exists already (a second restore) keeps it and does not fail.
    snapshot.restore(session, tmp_path / "snap")
    assert [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]] == [arn]


def test_items_with_binary_attributes_survive_a_restart(session: boto3.Session, tmp_path: Path) -> None:
    # Binary values at every depth: the manifest is JSON, boto3 gives them as bytes.
    _provision(session)
    dynamodb = session.client("dynamodb")
    item = {
        "Id": {"S": "binary"},
        "B": {"B": b"\x00\xff"},
        "BS": {"BS": [b"\x01", b"\x02"]},
        "M": {"M": {"inner": {"B": b"\x03"}, "L": {"L": [{"B": b"\x04"}, {"S": "text"}]}}},
    }
    dynamodb.put_item(TableName="items", Item=item)

    assert snapshot.save(session, tmp_path / "snap") == {"objects": 0, "items": 1}
    _wipe(session)
    _provision(session)
    snapshot.restore(session, tmp_path / "snap")
    assert dynamodb.get_item(TableName="items", Key={"Id": {"S": "binary"}})["Item"] == item
