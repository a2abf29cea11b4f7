"""A handler of this repository behind its own IAM-authorised REST API."""

from __future__ import annotations

from collections.abc import Mapping

from constructs import Construct

from infrastructure.python_function import FunctionDefaults, PythonFunction
from infrastructure.rest_api import IamRestApi


class ApiService(Construct):
    """`function` (a `PythonFunction`) and `api` (an `IamRestApi` proxying every route to it)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        handler: str,
        environment: Mapping[str, str],
        service_name: str,
        description: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.handler = PythonFunction(
            self,
            "Handler",
            handler=handler,
            defaults=defaults,
            environment=environment,
            service_name=service_name,
            description=description,
        )
        self.function = self.handler.function
        self.rest_api = IamRestApi(
            self, "Rest", handler=self.function, description=description, tracing=defaults.tracing
        )
        self.url = self.rest_api.url
