"""Fixtures for the workflow API: moto in-process, real boto3, the real Lambda handler."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from api.workflow import handler, table
from tests.functional.workflow.workflow_helpers import (
    PREFIX,
    REGION,
    SIGNING_KEY,
    TABLE,
    PassCompiler,
    WorkflowApi,
)


@pytest.fixture
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("WORKFLOW_DEFINITIONS_TABLE", TABLE)
    monkeypatch.setenv("CURSOR_SIGNING_KEY", SIGNING_KEY)
    monkeypatch.setenv("STATE_MACHINE_PREFIX", PREFIX)


@pytest.fixture
def bare_api(aws_environment: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkflowApi]:
    """The API with its tables and role, but the production compiler factory (no generator yet)."""
    # Cached clients must not outlive the mock they were made in.
    handler.aws_client.cache_clear()
    with mock_aws():
        boto3.client("dynamodb", region_name=REGION).create_table(TableName=TABLE, **table.table_definition())
        role = boto3.client("iam", region_name=REGION).create_role(
            RoleName="medialens-test-sfn",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "states.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )
        monkeypatch.setenv("STEP_FUNCTIONS_ROLE_ARN", role["Role"]["Arn"])
        yield WorkflowApi(PassCompiler())
    handler.aws_client.cache_clear()


@pytest.fixture
def api(bare_api: WorkflowApi, monkeypatch: pytest.MonkeyPatch) -> WorkflowApi:
    monkeypatch.setattr(handler, "compiler_factory", lambda: bare_api.compiler)
    return bare_api
