"""A handler of this repository behind its own IAM-authorised REST API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import CfnCondition
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infrastructure.python_function import PythonFunction
from infrastructure.rest_api import IamRestApi


class ApiService(Construct):
    """`function` (a `PythonFunction`) and `api` (an `IamRestApi` proxying every route to it)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        code: lambda_.Code,
        handler: str,
        layers: Sequence[lambda_.ILayerVersion],
        environment: Mapping[str, str],
        service_name: str,
        description: str,
        tracing: CfnCondition,
    ) -> None:
        super().__init__(scope, construct_id)
        self.handler = PythonFunction(
            self,
            "Handler",
            code=code,
            handler=handler,
            layers=layers,
            environment=environment,
            service_name=service_name,
            description=description,
            tracing=tracing,
        )
        self.function = self.handler.function
        self.rest_api = IamRestApi(
            self, "Rest", handler=self.function, description=description, tracing=tracing
        )
        self.url = self.rest_api.url
