"""Requests the long run (`make fuzz`) answered with a 5xx, replayed on the local platform.

Each answered 500 there before its fix; the functional tests' in-process moto did not show them.
"""

from __future__ import annotations

import json

import pytest
import requests

from tests.local.workflows.platform_client import RunningPlatform
from tests.support.api_fuzz import SigV4RequestAuth

# One worker runs the package under `make test` (xdist --dist loadgroup), so one platform serves it.
pytestmark = [pytest.mark.local, pytest.mark.xdist_group("local-fuzz")]

OPERATION = {"Name": "Found", "Type": "Sync", "Configuration": {"MediaType": "Audio", "Enabled": True}}


def _post_operation(running: RunningPlatform, start_arn: str) -> requests.Response:
    body = json.dumps({**OPERATION, "StartLambdaArn": start_arn})
    return requests.post(
        f"{running.endpoints.workflow_api}/workflow/operation",
        data=body,
        headers={"Content-Type": "application/json"},
        auth=SigV4RequestAuth(running.platform.state.credentials()),
        timeout=60,
    )


@pytest.mark.parametrize(
    ("start_arn", "says"),
    [
        # The local Lambda lookup routes no "$": `:$LATEST` is looked up as the function itself.
        ("arn:aws:lambda:us-east-1:264314902760:function:f0:$LATEST", "does not exist"),
        # A "$" elsewhere in a qualifier names no function: refused by the ARN's shape.
        ("arn:aws:lambda:us-east-1:264314902760:function:f0:s$5jzz4Q", "must be a Lambda function ARN"),
    ],
)
def test_an_odd_lambda_arn_is_a_400(running: RunningPlatform, start_arn: str, says: str) -> None:
    answer = _post_operation(running, start_arn)
    assert answer.status_code == 400, answer.text
    assert says in answer.json()["Message"]


def test_latest_of_a_registered_function_is_found(running: RunningPlatform) -> None:
    registered = {operation["Name"]: operation for operation in running.api.operations()}
    start_arn = registered["TestSyncOk"]["StartLambdaArn"]
    answer = _post_operation(running, f"{start_arn}:$LATEST")
    assert answer.status_code == 200, answer.text
