"""The operator library on AWS: each handler declared in `operators/*/operators.json` as a Lambda.

Every function has its own role, allowed to call the dataplane API and to read and write the
dataplane bucket under the assets prefix only. Test operators (`TestResource: true`) exist only when
`DeployTestResources` is true; `operation_requests` gives the registration bodies to match, each
with the condition its functions exist under.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import CfnCondition, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct
from medialens_helper import settings

from api.dataplane.layout import ASSETS_ROOT
from infrastructure.conditions import deploy_only_if
from infrastructure.python_function import FunctionDefaults, PythonFunction
from operators.catalog import CatalogEntry, HandlerRole


class OperatorLibrary(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        entries: Sequence[CatalogEntry],
        defaults: FunctionDefaults,
        bucket: s3.IBucket,
        dataplane_api_url: str,
        dataplane_invoke_arn: str,
        test_resources: CfnCondition,
    ) -> None:
        super().__init__(scope, construct_id)
        self._entries = list(entries)
        self._test_resources = test_resources
        self.functions: dict[tuple[str, HandlerRole], lambda_.Function] = {}
        for entry in self._entries:
            definition = entry.definition
            # Test operators live under their own scope, so one condition covers all they make.
            parent = self._test_scope() if definition.TestResource else self
            for role, handler in definition.handlers().items():
                made = PythonFunction(
                    parent,
                    f"{definition.Name}-{role}",
                    handler=handler,
                    defaults=defaults,
                    environment={
                        settings.DATAPLANE_API_ENDPOINT: dataplane_api_url,
                        settings.DATAPLANE_BUCKET: bucket.bucket_name,
                    },
                    service_name=definition.Name,
                    description=f"Medialens operator {definition.Name} ({role})",
                    timeout=Duration.seconds(definition.TimeoutSeconds),
                    memory_size=definition.MemoryMB,
                )
                function = made.function
                # Executions run on the asset's own copy of the media, so the assets prefix is enough.
                bucket.grant_read(function, f"{ASSETS_ROOT}*")
                bucket.grant_put(function, f"{ASSETS_ROOT}*")
                function.add_to_role_policy(
                    iam.PolicyStatement(actions=["execute-api:Invoke"], resources=[dataplane_invoke_arn])
                )
                self.functions[(definition.Name, role)] = function

    def _test_scope(self) -> Construct:
        existing = self.node.try_find_child("TestOperators")
        if isinstance(existing, Construct):
            return existing
        scope = Construct(self, "TestOperators")
        deploy_only_if(scope, self._test_resources)
        return scope

    def operation_requests(self) -> list[tuple[dict[str, Any], CfnCondition | None]]:
        """`POST /workflow/operation` bodies with the deployed ARNs, each with its existence condition."""
        requests: list[tuple[dict[str, Any], CfnCondition | None]] = []
        for entry in self._entries:
            definition = entry.definition
            start = self.functions.get((definition.Name, "start"))  # none for an engine operator
            monitor = self.functions.get((definition.Name, "monitor"))
            request = definition.operation_request(
                start.function_arn if start is not None else None,
                monitor.function_arn if monitor is not None else None,
            )
            requests.append((request, self._test_resources if definition.TestResource else None))
        return requests
