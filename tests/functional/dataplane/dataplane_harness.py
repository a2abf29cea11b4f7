"""Test harness for the dataplane API: calls the real Lambda handler, inspects S3, DynamoDB, Kinesis."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import boto3
from medialens_helper.apigw import build_proxy_event

from api.dataplane import handler

BUCKET = "medialens-dataplane-test"
TABLE = "medialens-dataplane-test"
STREAM = "medialens-dataplane-test"
REGION = "us-east-1"
SIGNING_KEY = "test-signing-key-0123456789"


class Dataplane:
    """Calls the dataplane Lambda as API Gateway would, and inspects the stores behind it."""

    def __init__(self, session: boto3.session.Session) -> None:
        self.s3 = session.client("s3")
        self.dynamodb = session.client("dynamodb")
        self.kinesis = session.client("kinesis")
        self.bucket = BUCKET
        self._records_seen = 0

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        raw: str | bytes | None = None,
        query: Mapping[str, str] | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, Any]:
        text = raw if raw is not None else (None if body is None else json.dumps(body))
        event = build_proxy_event(
            method, path, query=query, body=text, headers={"Content-Type": content_type}
        )
        response = handler.lambda_handler(event, None)  # type: ignore[arg-type]
        headers = response.get("multiValueHeaders") or {}
        assert headers.get("Content-Type") == ["application/json"], response
        return int(response["statusCode"]), json.loads(response["body"])

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        status, body = self.call(method, path, **kwargs)
        assert status == 200, body
        return body

    def put_object(self, key: str, data: bytes = b"media") -> None:
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=data)

    def keys(self, prefix: str = "") -> list[str]:
        listing = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read_json(self, key: str) -> Any:
        return json.loads(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())

    def items(self, asset_id: str) -> dict[str, dict[str, Any]]:
        found = self.dynamodb.query(
            TableName=TABLE,
            KeyConditionExpression="AssetId = :a",
            ExpressionAttributeValues={":a": {"S": asset_id}},
        )["Items"]
        return {item["SortKey"]["S"]: item for item in found}

    def create_asset(self, name: str = "video.mp4") -> str:
        self.put_object(f"upload/{name}")
        body = self.ok("POST", "/create", body={"Input": {"S3Bucket": BUCKET, "S3Key": f"upload/{name}"}})
        return str(body["AssetId"])

    def store(
        self, asset_id: str, operator: str, workflow: str, results: Any, **extra: Any
    ) -> tuple[int, Any]:
        body = {"OperatorName": operator, "WorkflowId": workflow, "Results": results, **extra}
        return self.call("POST", f"/metadata/{asset_id}", body=body)

    def all_records(self) -> list[dict[str, Any]]:
        shard = self.kinesis.describe_stream(StreamName=STREAM)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = self.kinesis.get_shard_iterator(
            StreamName=STREAM, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = self.kinesis.get_records(ShardIterator=iterator, Limit=10_000)["Records"]
        return [
            {"Data": json.loads(record["Data"]), "PartitionKey": record["PartitionKey"]} for record in records
        ]

    def new_records(self) -> list[dict[str, Any]]:
        """Records put on the stream since the last call."""
        records = self.all_records()
        fresh, self._records_seen = records[self._records_seen :], len(records)
        return fresh
