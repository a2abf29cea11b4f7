"""Helpers for the workflow API tests: request builders and a client of the real Lambda handler.

The state machine generator is replaced by `PassCompiler` (one Pass state per stage carrying its
operations' definitions), enough to see through `describe_state_machine` what was deployed.
"""

from __future__ import annotations

import io
import itertools
import json
import zipfile
from collections.abc import Mapping
from typing import Any

import boto3
from medialens_helper.apigw import build_proxy_event

from api.workflow import handler
from api.workflow.models import Operation, Stage, Workflow

TABLE = "medialens-workflow-definitions-test"
REGION = "us-east-1"
PREFIX = "mltest"
SIGNING_KEY = "workflow-test-signing-key-0123456789"
ACCOUNT = "123456789012"
ERROR_CODES = {
    400: "BadRequest",
    404: "NotFound",
    409: "Conflict",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    500: "InternalError",
    502: "StateMachineError",
}


def lambda_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def deployed_lambda_arn(name: str) -> str:
    """The ARN of function `name`, created in moto first if needed (the API checks it exists)."""
    client = boto3.client("lambda", region_name=REGION)
    try:
        return str(client.get_function_configuration(FunctionName=name)["FunctionArn"])
    except client.exceptions.ResourceNotFoundException:
        pass
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("handler.py", "def handler(event, context):\n    return event\n")
    made = client.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=_lambda_role(),
        Handler="handler.handler",
        Code={"ZipFile": archive.getvalue()},
    )
    return str(made["FunctionArn"])


def _lambda_role(name: str = "medialens-test-lambda") -> str:
    iam = boto3.client("iam", region_name=REGION)
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])


def operation_body(name: str, *, kind: str = "Sync", media: str = "Video", **config: Any) -> dict[str, Any]:
    """A `POST /workflow/operation` body whose functions exist (`{name}Start`, `{name}Monitor`)."""
    body: dict[str, Any] = {
        "Name": name,
        "Type": kind,
        "Configuration": {"MediaType": media, "Enabled": True, **config},
        "StartLambdaArn": deployed_lambda_arn(f"{name}Start"),
    }
    if kind == "Async":
        body["MonitorLambdaArn"] = deployed_lambda_arn(f"{name}Monitor")
    return body


def chain(name: str, *stages: str) -> dict[str, Any]:
    """A workflow running `stages` in order."""
    steps: dict[str, Any] = {stage: {"Next": after} for stage, after in itertools.pairwise(stages)}
    steps[stages[-1]] = {"End": True}
    return {"Name": name, "StartAt": stages[0], "Stages": steps}


class PassCompiler:
    """Stand-in generator: a Pass state per stage whose Result holds the operations it would run."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        # Workflow name -> seconds its machine waits before the first stage, for tests that must
        # act on an execution while its machine still runs.
        self.holds: dict[str, int] = {}

    def compile(
        self, workflow: Workflow, stages: Mapping[str, Stage], operations: Mapping[str, Operation]
    ) -> str:
        self.calls.append(workflow.Name)
        order = workflow.ordered_stages()
        states: dict[str, Any] = {}
        for position, stage in enumerate(order):
            state: dict[str, Any] = {
                "Type": "Pass",
                "Result": {
                    op: operations[op].model_dump(mode="json", exclude_none=True)
                    for op in stages[stage].Operations
                },
                "ResultPath": f"$.{stage}",
            }
            if position + 1 < len(order):
                state["Next"] = order[position + 1]
            else:
                state["End"] = True
            states[stage] = state
        if workflow.Name in self.holds:
            states["Hold"] = {"Type": "Wait", "Seconds": self.holds[workflow.Name], "Next": order[0]}
            return json.dumps({"StartAt": "Hold", "States": states})
        return json.dumps({"StartAt": order[0], "States": states})


class WorkflowApi:
    """Calls the workflow API Lambda as API Gateway would, and inspects what it deployed."""

    def __init__(self, compiler: PassCompiler) -> None:
        self.compiler = compiler
        self.sfn = boto3.client("stepfunctions", region_name=REGION)
        self.dynamodb = boto3.client("dynamodb", region_name=REGION)

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        raw: str | bytes | None = None,
        query: Mapping[str, str] | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, Any, dict[str, str]]:
        text = raw if raw is not None else (None if body is None else json.dumps(body))
        event = build_proxy_event(
            method, path, query=query, body=text, headers={"Content-Type": content_type}
        )
        response = handler.lambda_handler(event, None)
        headers = {key: values[-1] for key, values in (response.get("multiValueHeaders") or {}).items()}
        headers.update(response.get("headers") or {})
        assert headers.get("Content-Type") == "application/json", response
        return int(response["statusCode"]), json.loads(response["body"]), headers

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        status, body, _ = self.call(method, path, **kwargs)
        assert status == 200, body
        return body

    def fails(self, status: int, method: str, path: str, **kwargs: Any) -> str:
        """Assert an error answer with `status` and its wire code; return its message."""
        got, body, _ = self.call(method, path, **kwargs)
        assert got == status, body
        assert set(body) == {"Code", "Message"}, body
        assert body["Code"] == ERROR_CODES[status] or (status == 400 and body["Code"] == "InvalidCursor"), (
            body
        )
        return str(body["Message"])

    def machine(self, workflow: str) -> dict[str, Any]:
        arn = self.ok("GET", f"/workflow/{workflow}")["StateMachineArn"]
        return dict(self.sfn.describe_state_machine(stateMachineArn=arn))

    def machine_definition(self, workflow: str) -> dict[str, Any]:
        return dict(json.loads(self.machine(workflow)["definition"]))

    def machine_names(self) -> list[str]:
        return sorted(machine["name"] for machine in self.sfn.list_state_machines()["stateMachines"])
