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
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        integration = apigw.LambdaIntegration(handler)
        self.api = apigw.RestApi(
            self,
            "Api",
            description=description,
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=False,  # one for the whole stack: ApiGatewayAccountLogging
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
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
            ),
        )
        # The stack's own outputs name the endpoints as MIE's do; drop the construct's generated one.
        self.api.node.try_remove_child("Endpoint")
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
        # Execution and access logs need the account's API Gateway CloudWatch role set first.
        self.api.deployment_stage.node.add_dependency(ApiGatewayAccountLogging.of(self))
        stage = self.api.deployment_stage.node.default_child
        assert isinstance(stage, apigw.CfnStage)
        stage.tracing_enabled = Fn.condition_if(tracing.logical_id, True, False)
        # Built from the API id rather than the stage so the handler may know its own URL
        # (referencing the stage would make function -> stage -> method -> function a cycle).
        self.url = f"https://{self.api.rest_api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}/{STAGE_NAME}"

    def invoke_arn(self, method: str = "*", path: str = "*") -> str:
        """ARN for `execute-api:Invoke` on this API's stage."""
        return self.api.arn_for_execute_api(method, path if path.startswith("/") else f"/{path}", STAGE_NAME)


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
