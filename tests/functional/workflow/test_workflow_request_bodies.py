"""Every workflow API route that takes a body answers a malformed one with a 4xx, and writes nothing.

An execution request is bounded so that what the API accepts can always run: the body (64 KiB),
and the merged Configuration (32 KiB) that travels in the state machine's input; both are checked
before the asset is created.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.workflow.app import MAX_BODY_BYTES
from api.workflow.services.execution_requests import MAX_CONFIGURATION_BYTES
from tests.functional.workflow.execution_fixtures import EXECUTIONS, MEDIA_BUCKET, Executions, executions
from tests.functional.workflow.workflow_helpers import TABLE, WorkflowApi, deployed_lambda_arn, lambda_arn
from tests.support.malformed_bodies import MALFORMED_BODIES, MalformedBody, nested

__all__ = ["executions"]  # the fixture, used by the execution tests below

BODY_ROUTES = [
    ("POST", "/workflow/operation"),
    ("PUT", "/workflow/operation"),
    ("POST", "/workflow/stage"),
    ("PUT", "/workflow/stage"),
    ("POST", "/workflow"),
    ("PUT", "/workflow"),
    ("POST", "/workflow/execution"),
    ("POST", "/system/configuration"),
]


def _definitions(api: WorkflowApi) -> list[dict[str, Any]]:
    return list(api.dynamodb.scan(TableName=TABLE)["Items"])


@pytest.mark.parametrize("case", MALFORMED_BODIES, ids=[case.id for case in MALFORMED_BODIES])
def test_a_malformed_body_is_a_4xx_on_every_route(api: WorkflowApi, case: MalformedBody) -> None:
    before = _definitions(api)
    for method, path in BODY_ROUTES:
        got, body, _ = api.call(method, path, raw=case.body, content_type=case.content_type)
        assert got == case.status, (method, path, body)
        assert case.message in body["Message"], (method, path, body)
    assert _definitions(api) == before


def test_json_nested_100000_deep_is_a_4xx_on_every_route(api: WorkflowApi) -> None:
    # 200 KB of brackets: over the body limit, refused before it is parsed.
    for method, path in BODY_ROUTES:
        message = api.fails(413, method, path, raw=nested(100_000))
        assert f"the limit is {MAX_BODY_BYTES}" in message


def _stored_executions(executions: Executions) -> tuple[int, list[str]]:
    records = executions.api.dynamodb.scan(TableName=EXECUTIONS, Select="COUNT")["Count"]
    listing = executions.s3.list_objects_v2(Bucket=MEDIA_BUCKET, Prefix="private/")
    return records, [item["Key"] for item in listing.get("Contents", [])]


def _execution_request(executions: Executions, padding: int) -> bytes:
    executions.s3.put_object(Bucket=MEDIA_BUCKET, Key="upload/video.mp4", Body=b"media")
    media = {"Video": {"S3Bucket": MEDIA_BUCKET, "S3Key": "upload/video.mp4"}}
    configuration = {"Detect": {"Labels": {"Notes": "x" * padding}}}
    return json.dumps({"Name": "Main", "Input": {"Media": media}, "Configuration": configuration}).encode()


def test_a_600_kb_execution_request_is_413_and_creates_no_asset(executions: Executions) -> None:
    before = _stored_executions(executions)
    message = executions.api.fails(
        413, "POST", "/workflow/execution", raw=_execution_request(executions, 600_000)
    )
    assert f"the limit is {MAX_BODY_BYTES}" in message
    assert _stored_executions(executions) == before


def test_a_configuration_over_its_limit_is_400_and_creates_no_asset(executions: Executions) -> None:
    before = _stored_executions(executions)
    raw = _execution_request(executions, MAX_CONFIGURATION_BYTES)
    assert len(raw) < MAX_BODY_BYTES
    message = executions.api.fails(400, "POST", "/workflow/execution", raw=raw)
    assert f"the limit is {MAX_CONFIGURATION_BYTES}" in message
    assert _stored_executions(executions) == before


def test_a_configuration_within_its_limit_is_accepted(executions: Executions) -> None:
    raw = _execution_request(executions, MAX_CONFIGURATION_BYTES - 1024)
    status, body, _ = executions.api.call("POST", "/workflow/execution", raw=raw)
    assert status == 200, body
    assert body["Status"] == "Queued"


ONE_STAGE = {"S": {"End": True}}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/workflow", {"Name": "W", "StartAt": "S", "Stages": {"S": {"End": 1}}}, "End"),
        (
            "/workflow",
            {"Name": "W", "StartAt": "S", "Stages": {"S": {"End": True}}, "TimeoutSeconds": "60"},
            "Timeout",
        ),
        ("/workflow/stage", {"Name": "S", "Operations": ["A"], "Version": "1"}, "Version"),
        ("/system/configuration", {"Name": "MaxConcurrentWorkflows", "Value": "\u0663"}, "Value"),
    ],
)
def test_a_number_or_boolean_must_be_one_in_json(
    api: WorkflowApi, path: str, body: dict[str, Any], field: str
) -> None:
    """What the document calls an integer or `true` is refused as a string or a 1, not coerced."""
    message = api.fails(400, "POST", path, body=body)
    assert field in message


@pytest.mark.parametrize("qualifier", ["s$5jzz4Q", "$", "LATEST$"])
def test_a_lambda_qualifier_is_latest_a_version_or_an_alias(api: WorkflowApi, qualifier: str) -> None:
    """A "$" outside $LATEST names no function (moto's Lambda answered the lookup with a 500)."""
    body = {
        "Name": "Odd",
        "Type": "Sync",
        "Configuration": {"MediaType": "Video", "Enabled": True},
        "StartLambdaArn": f"{lambda_arn('odd')}:{qualifier}",
    }
    message = api.fails(400, "POST", "/workflow/operation", body=body)
    assert "StartLambdaArn" in message
    assert "does not exist" not in message  # refused by its shape, before any lookup


def test_a_latest_qualifier_names_the_function_itself(api: WorkflowApi) -> None:
    """`function:f:$LATEST` is function f: found when f exists, a 400 naming it when not."""
    configuration = {"MediaType": "Video", "Enabled": True}
    found = {"Name": "Latest", "Type": "Sync", "Configuration": configuration}
    api.ok(
        "POST", "/workflow/operation", body={**found, "StartLambdaArn": f"{deployed_lambda_arn('f')}:$LATEST"}
    )
    missing = {**found, "Name": "Missing", "StartLambdaArn": f"{lambda_arn('nowhere')}:$LATEST"}
    assert "does not exist" in api.fails(400, "POST", "/workflow/operation", body=missing)
