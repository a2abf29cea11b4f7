"""An API Gateway REST API in front of one Lambda: AWS_IAM on every route but the health check."""

from __future__ import annotations

from aws_cdk import Aws, CfnCondition, Fn, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

STAGE_NAME = "api"


class IamRestApi(Construct):
    """`GET /` is open (health check, as MIE's); `ANY /{proxy+}` needs a SigV4-signed caller."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: lambda_.IFunction,
        description: str,
        tracing: CfnCondition,
    ) -> None:
        super().__init__(scope, construct_id)
        integration = apigw.LambdaIntegration(handler)
        self.api, self.access_logs = logged_rest_api(self, description=description, tracing=tracing)
        validator = self.api.add_request_validator(
            "Validator", validate_request_parameters=True, validate_request_body=True
        )
        self.health_method = self.api.root.add_method(
            "GET", integration, authorization_type=apigw.AuthorizationType.NONE, request_validator=validator
        )
        self.proxy = self.api.root.add_resource("{proxy+}")
        self.proxy_method = self.proxy.add_method(
            "ANY", integration, authorization_type=apigw.AuthorizationType.IAM, request_validator=validator
        )
        self.url = stage_url(self.api, STAGE_NAME)

    def invoke_arn(self, method: str = "*", path: str = "*") -> str:
        """ARN for `execute-api:Invoke` on this API's stage."""
        return self.api.arn_for_execute_api(method, path if path.startswith("/") else f"/{path}", STAGE_NAME)


def logged_rest_api(
    scope: Construct,
    *,
    description: str,
    tracing: CfnCondition,
    stage_name: str = STAGE_NAME,
    throttle: tuple[int, int] | None = None,
) -> tuple[apigw.RestApi, logs.LogGroup]:
    """A regional REST API (`Api`) whose one stage logs access (`AccessLogs`) and errors.

    Tracing follows the EnableXrayTrace parameter; `throttle` = (requests per second, burst) on
    every method of the stage. Access logs record the route template (`resourcePath`), never the
    path's values.
    """
    access_logs = logs.LogGroup(
        scope, "AccessLogs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
    )
    rate, burst = throttle if throttle is not None else (None, None)
    api = apigw.RestApi(
        scope,
        "Api",
        description=description,
        endpoint_types=[apigw.EndpointType.REGIONAL],
        cloud_watch_role=False,  # one for the whole stack: ApiGatewayAccountLogging
        deploy_options=apigw.StageOptions(
            stage_name=stage_name,
            access_log_destination=apigw.LogGroupLogDestination(access_logs),
            access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                caller=True,
                http_method=True,
                ip=True,
                protocol=True,
                request_time=True,
                resource_path=True,
                response_length=True,
                status=True,
                user=True,
            ),
            logging_level=apigw.MethodLoggingLevel.ERROR,
            metrics_enabled=True,
            throttling_rate_limit=rate,
            throttling_burst_limit=burst,
        ),
    )
    # The stack's own outputs name the endpoints as MIE's do; drop the construct's generated one.
    api.node.try_remove_child("Endpoint")
    # Execution and access logs need the account's API Gateway CloudWatch role set first.
    api.deployment_stage.node.add_dependency(ApiGatewayAccountLogging.of(scope))
    stage = api.deployment_stage.node.default_child
    assert isinstance(stage, apigw.CfnStage)
    stage.tracing_enabled = Fn.condition_if(tracing.logical_id, True, False)
    return api, access_logs


def stage_url(api: apigw.RestApi, stage_name: str) -> str:
    """The stage's base URL, built from the API id rather than the stage so a function the API
    serves may know its own URL (referencing the stage would make function -> stage -> method ->
    function a cycle)."""
    return f"https://{api.rest_api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}/{stage_name}"


class ApiGatewayAccountLogging(Construct):
    """The account-wide role API Gateway writes logs with, set once per stack (not once per API).

    It is an account setting: the role is retained on delete, because another stack (or a second
    copy of this one) may still rely on it.
    """

    ID = "ApiGatewayAccountLogging"

    @classmethod
    def of(cls, scope: Construct) -> ApiGatewayAccountLogging:
        stack = Stack.of(scope)
        existing = stack.node.try_find_child(cls.ID)
        return existing if isinstance(existing, ApiGatewayAccountLogging) else cls(stack, cls.ID)

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway: push execution and access logs to CloudWatch Logs",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                )
            ],
        )
        self.role.apply_removal_policy(RemovalPolicy.RETAIN)
        self.account = apigw.CfnAccount(self, "Account", cloud_watch_role_arn=self.role.role_arn)
        self.account.apply_removal_policy(RemovalPolicy.RETAIN)
