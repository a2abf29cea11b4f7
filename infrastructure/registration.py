"""The custom resource that registers the operator library, its stages and workflows on every deploy.

Its handler (`api.registration.handler`) calls the deployed workflow API like any client: it creates
what is new, updates what changed (MIE ignored Update), deletes what the library dropped, and sets
`MaxConcurrentWorkflows` each time. `AppliedAt` changes on every synthesis, so every deploy runs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import Aws, CfnCondition, CustomResource, Duration, Fn, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from infrastructure.python_function import FunctionDefaults, PythonFunction, custom_resource_provider
from infrastructure.rest_api import IamRestApi

HANDLER = "api.registration.handler.lambda_handler"
RESOURCE_TYPE = "Custom::MedialensLibrary"
# Covers the handler's bounded retries while fresh IAM grants and the API stage become live.
FUNCTION_TIMEOUT = Duration.minutes(5)


class LibraryRegistration(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        workflow_api: IamRestApi,
        workflow_api_url: str,
        operations: Sequence[tuple[Mapping[str, Any], CfnCondition | None]],
        stages: Sequence[Mapping[str, Any]],
        workflows: Sequence[Mapping[str, Any]],
        max_concurrent_workflows: str,
        applied_at: str,
    ) -> None:
        super().__init__(scope, construct_id)
        made = PythonFunction(
            self,
            "Handler",
            handler=HANDLER,
            defaults=defaults,
            service_name="library-registration",
            description="Medialens: registers operators, stages and workflows with the workflow API",
            timeout=FUNCTION_TIMEOUT,
        )
        self.function = made.function
        self.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["execute-api:Invoke"],
                resources=[
                    workflow_api.invoke_arn("*", "/workflow/*"),
                    workflow_api.invoke_arn("*", "/workflow"),
                    workflow_api.invoke_arn("POST", "/system/configuration"),
                ],
            )
        )
        self.provider = custom_resource_provider(self, self.function)
        stack = Stack.of(self)
        self.resource = CustomResource(
            self,
            "Resource",
            service_token=self.provider.service_token,
            resource_type=RESOURCE_TYPE,
            properties={
                "WorkflowApiEndpoint": workflow_api_url,
                # CloudFormation turns property values into strings; JSON keeps the bodies' types.
                "Operations": [_as_json(stack, body, condition) for body, condition in operations],
                "Stages": [_as_json(stack, stage) for stage in stages],
                "Workflows": [_as_json(stack, workflow) for workflow in workflows],
                "MaxConcurrentWorkflows": max_concurrent_workflows,
                "AppliedAt": applied_at,
            },
        )
        # The API must be deployed (its stage live) before the handler can call it.
        self.resource.node.add_dependency(workflow_api.api.deployment_stage)


def _as_json(stack: Stack, body: Mapping[str, Any], condition: CfnCondition | None = None) -> Any:
    """A body as a JSON string (ARNs resolved at deploy time); absent from the list unless `condition`."""
    document = stack.to_json_string(body)
    if condition is None:
        return document
    return Fn.condition_if(condition.logical_id, document, Aws.NO_VALUE)
