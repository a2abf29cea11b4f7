"""The stack's parameters, as in MIE, and the conditions derived from them."""

from __future__ import annotations

from aws_cdk import CfnCondition, CfnParameter, Fn
from constructs import Construct

DEFAULT_MAX_CONCURRENT_WORKFLOWS = 5


class PlatformParameters(Construct):
    """MaxConcurrentWorkflows, EnableXrayTrace, DeployAnalyticsPipeline, DeployTestResources."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        stack = scope
        # Parameters get their logical ids from the stack scope so their names stay MIE's.
        self.max_concurrent_workflows = CfnParameter(
            stack,
            "MaxConcurrentWorkflows",
            type="Number",
            default=DEFAULT_MAX_CONCURRENT_WORKFLOWS,
            min_value=1,
            max_value=1000,
            description="Workflows run at once; more wait in the queue. Re-applied on every deploy.",
        )
        self.enable_xray_trace = _yes_no(stack, "EnableXrayTrace", "X-Ray tracing on entry Lambdas and APIs")
        self.deploy_analytics_pipeline = _yes_no(
            stack, "DeployAnalyticsPipeline", "Kinesis -> OpenSearch consumer and an OpenSearch domain"
        )
        self.deploy_test_resources = _yes_no(stack, "DeployTestResources", "The test operators")
        self.tracing_enabled = _is_true(self, "TracingEnabled", self.enable_xray_trace)
        self.analytics_enabled = _is_true(self, "AnalyticsEnabled", self.deploy_analytics_pipeline)
        self.test_resources_enabled = _is_true(self, "TestResourcesEnabled", self.deploy_test_resources)


def _yes_no(scope: Construct, name: str, description: str) -> CfnParameter:
    return CfnParameter(
        scope, name, type="String", default="false", allowed_values=["true", "false"], description=description
    )


def _is_true(scope: Construct, name: str, parameter: CfnParameter) -> CfnCondition:
    return CfnCondition(scope, name, expression=Fn.condition_equals(parameter.value_as_string, "true"))
