"""What the local runtime deploys: the local counterpart of the CDK app.

The names, functions, environment variables and event sources here mirror `infrastructure/`, so a
handler sees the same configuration on the local platform as on AWS.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import boto3
from botocore.exceptions import ClientError
from medialens_helper import settings

from api.dataplane.storage_schema import table_definition
from api.workflow import config as workflow_config
from api.workflow.table import table_definition as definitions_table_definition
from medialens.runtime.deployment_protocol import DATAPLANE_API_BASE, WORKFLOW_API_BASE
from medialens.runtime.event_sources import EventSourceSpec
from medialens.runtime.functions import FunctionSpec
from medialens.state import StateDir


@dataclass(frozen=True)
class ResourceNames:
    """Physical names of the platform's resources on the local runtime."""

    dataplane_bucket: str = "medialens-dataplane"
    dataplane_table: str = "medialens-dataplane"
    dataplane_stream: str = "medialens-dataplane-results"
    definitions_table: str = "medialens-workflow-definitions"
    state_machine_role: str = "medialens-local-states"
    state_machine_prefix: str = "medialens"


class LocalDeployment:
    """The platform's resources and functions, provisioned into the moto server."""

    def __init__(self, state: StateDir, names: ResourceNames | None = None) -> None:
        self.state = state
        self.names = names or ResourceNames()

    @property
    def bucket_name(self) -> str:
        return self.names.dataplane_bucket

    def api_routes(self) -> Mapping[str, str]:
        return {DATAPLANE_API_BASE: "DataplaneApi", WORKFLOW_API_BASE: "WorkflowApi"}

    def functions(self, moto_url: str, api_url: str) -> list[FunctionSpec]:
        storage = {
            settings.DATAPLANE_BUCKET: self.names.dataplane_bucket,
            settings.DATAPLANE_TABLE: self.names.dataplane_table,
            settings.DATAPLANE_STREAM: self.names.dataplane_stream,
        }
        return [
            FunctionSpec(
                name="DataplaneApi",
                handler="api.dataplane.handler.lambda_handler",
                environment={
                    **storage,
                    settings.CURSOR_SIGNING_KEY: self.state.cursor_signing_key(),
                    settings.DATAPLANE_API_ENDPOINT: api_url + DATAPLANE_API_BASE,
                    "POWERTOOLS_SERVICE_NAME": "dataplane-api",
                },
                timeout_seconds=30,
            ),
            FunctionSpec(
                name="WorkflowApi",
                handler="api.workflow.handler.lambda_handler",
                environment={
                    workflow_config.WORKFLOW_DEFINITIONS_TABLE: self.names.definitions_table,
                    workflow_config.CURSOR_SIGNING_KEY: self.state.cursor_signing_key(),
                    workflow_config.STEP_FUNCTIONS_ROLE_ARN: self._role_arn(self.names.state_machine_role),
                    workflow_config.STATE_MACHINE_PREFIX: self.names.state_machine_prefix,
                    settings.DATAPLANE_API_ENDPOINT: api_url + DATAPLANE_API_BASE,
                    settings.WORKFLOW_API_ENDPOINT: api_url + WORKFLOW_API_BASE,
                    "POWERTOOLS_SERVICE_NAME": "workflow-api",
                },
                timeout_seconds=30,
            ),
        ]

    @staticmethod
    def _role_arn(name: str) -> str:
        return f"arn:aws:iam::{LOCAL_ACCOUNT_ID}:role/{name}"

    def event_sources(self) -> list[EventSourceSpec]:
        return []

    def provision(self, session: boto3.Session) -> None:
        """Create every resource; existing ones are kept, so this is safe to run again."""
        s3 = session.client("s3")
        _ignore_exists(lambda: s3.create_bucket(Bucket=self.names.dataplane_bucket))
        dynamodb = session.client("dynamodb")
        _ignore_exists(
            lambda: dynamodb.create_table(TableName=self.names.dataplane_table, **table_definition())
        )
        kinesis = session.client("kinesis")
        _ignore_exists(
            lambda: kinesis.create_stream(
                StreamName=self.names.dataplane_stream, StreamModeDetails={"StreamMode": "ON_DEMAND"}
            )
        )
        _ignore_exists(
            lambda: dynamodb.create_table(
                TableName=self.names.definitions_table, **definitions_table_definition()
            )
        )
        iam = session.client("iam")
        _ignore_exists(
            lambda: iam.create_role(
                RoleName=self.names.state_machine_role, AssumeRolePolicyDocument=_STATES_TRUST_POLICY
            )
        )


# moto's default account: the one every local ARN is in.
LOCAL_ACCOUNT_ID = "123456789012"
_STATES_TRUST_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
_EXISTS_CODES = {
    "BucketAlreadyOwnedByYou",
    "ResourceInUseException",
    "ResourceConflictException",
    "EntityAlreadyExists",
}


def _ignore_exists(create: Callable[[], object]) -> None:
    try:
        create()
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in _EXISTS_CODES:
            raise
