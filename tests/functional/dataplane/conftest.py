"""Fixtures for the dataplane API: moto in-process, real boto3, the real Lambda handler."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from dataplane_harness import BUCKET, REGION, SIGNING_KEY, STREAM, TABLE, Dataplane
from moto import mock_aws

from api.dataplane import handler, storage_schema
from api.dataplane.context import ServicesProvider


@pytest.fixture
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "CURSOR_SIGNING_SECRET_ARN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("DATAPLANE_BUCKET", BUCKET)
    monkeypatch.setenv("DATAPLANE_TABLE", TABLE)
    monkeypatch.setenv("DATAPLANE_STREAM", STREAM)
    monkeypatch.setenv("CURSOR_SIGNING_KEY", SIGNING_KEY)


@pytest.fixture(scope="session")
def boto_session() -> boto3.session.Session:
    # One session for all tests: it caches the service models, which makes new clients cheap.
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )


@pytest.fixture
def dataplane(aws_environment: None, boto_session: boto3.session.Session) -> Iterator[Dataplane]:
    # A fresh app per test: its cached clients must not outlive the mock they were made in.
    handler.get_app.cache_clear()
    handler.get_app().provider = ServicesProvider(boto_session)
    with mock_aws():
        plane = Dataplane(boto_session)
        plane.s3.create_bucket(Bucket=BUCKET)
        plane.dynamodb.create_table(TableName=TABLE, **storage_schema.table_definition())
        plane.kinesis.create_stream(StreamName=STREAM, ShardCount=1)
        yield plane
    handler.get_app.cache_clear()
