"""The webhooks stream and batch engines report to, on an API Gateway REST API of their own.

    POST {endpoint}/tasks/{task}/{secret}/heartbeat     api.engines.webhooks.lambda_handler
    POST {endpoint}/tasks/{task}/{secret}/result

`{endpoint}` is `https://{api id}.execute-api.{region}.{suffix}/engine-webhooks` (the stage is
named `engine-webhooks`, so the URL reads as the local runtime's `{api}/engine-webhooks` and the
handler gets the path `/tasks/...` that `api.engines.tasks.webhook_urls` builds and the handler
parses). The start function gets it as `ENGINE_WEBHOOK_ENDPOINT`.

These two routes, and nothing else of the platform, take unsigned calls (authorization NONE): an
engine is any http service, it holds no AWS credentials and cannot sign with SigV4. The per-task
secret in the URL is the authorization: only its SHA-256 is stored, it is good for one task and
expires at the task's `maxTTL`, and a wrong, unknown or expired one is a 403 that stores nothing.
An API of their own keeps the workflow and dataplane APIs' rule (every route but the health check
is AWS_IAM) whole, gives the open routes their own throttling and access logs, and lets an owner
put a web ACL in front of them alone. The function may only read a task record and write the
last heartbeat and results under the engine runs' prefix, and send heartbeats and successes to
this stack's workflow machines.

Body size: API Gateway refuses bodies over its 10 MB quota with 413 before anything runs, and a
Lambda proxy invocation carries at most 6 MB (the body JSON-escaped inside the event); the handler
answers 413 above `MAX_BODY_BYTES`, which leaves room for that envelope. An engine with more to say
posts several results (they are merged by their offsets).
"""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct
from medialens_helper import settings

from api.dataplane.layout import ASSETS_ROOT
from api.engines.tasks import RUN_MARKER
from infrastructure.python_function import FunctionDefaults, PythonFunction
from infrastructure.rest_api import logged_rest_api, stage_url

HANDLER = "api.engines.webhooks.lambda_handler"
STAGE_NAME = "engine-webhooks"
KINDS = ("heartbeat", "result")
# Every engine run's files: `{media path}engines/{operator}/` under an asset (api.engines.tasks).
ENGINE_RUN_OBJECTS = f"{ASSETS_ROOT}*{RUN_MARKER}*"
# Per stage, every route: an engine sends a heartbeat every few seconds per task and a result now
# and then, so this admits well over a hundred engines at once while an unauthenticated flood is
# answered 429 by API Gateway before any function runs (and costs the account nothing further).
RATE_LIMIT_PER_SECOND = 50
BURST_LIMIT = 100


class EngineWebhooks(Construct):
    """`function`, `api`, `methods` (kind -> POST method) and `url` (the webhooks' base URL)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        bucket: s3.IBucket,
        state_machine_arn_pattern: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.handler = PythonFunction(
            self,
            "Handler",
            handler=HANDLER,
            defaults=defaults,
            environment={settings.DATAPLANE_BUCKET: bucket.bucket_name},
            service_name="engine-webhooks",
            description="Medialens engine webhooks (heartbeat and result of stream and batch engines)",
        )
        self.function = self.handler.function
        # Read the task record, write the last heartbeat and the results; nothing else in the bucket
        # (without s3:ListBucket a missing record reads as AccessDenied: a 403 all the same).
        self.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject"],
                resources=[bucket.arn_for_objects(ENGINE_RUN_OBJECTS)],
            )
        )
        # A `running` heartbeat extends the machine's wait; `complete` / `failed` ends it.
        self.function.add_to_role_policy(task_response_statement(state_machine_arn_pattern, heartbeat=True))
        self.api, self.access_logs = logged_rest_api(
            self,
            description="Medialens engine webhooks: per-task secret in the URL, no SigV4",
            tracing=defaults.tracing,
            stage_name=STAGE_NAME,
            throttle=(RATE_LIMIT_PER_SECOND, BURST_LIMIT),
        )
        # Path parameters are required by the route itself; the validator makes it explicit.
        validator = self.api.add_request_validator(
            "Validator", validate_request_parameters=True, validate_request_body=True
        )
        integration = apigw.LambdaIntegration(self.function)
        task = self.api.root.add_resource("tasks").add_resource("{task}").add_resource("{secret}")
        self.methods: dict[str, apigw.Method] = {
            kind: task.add_resource(kind).add_method(
                "POST",
                integration,
                authorization_type=apigw.AuthorizationType.NONE,
                request_validator=validator,
                request_parameters={"method.request.path.task": True, "method.request.path.secret": True},
            )
            for kind in KINDS
        }
        self.url = stage_url(self.api, STAGE_NAME)


def task_response_statement(state_machine_arn_pattern: str, *, heartbeat: bool) -> iam.PolicyStatement:
    """`states:SendTaskSuccess` (and `SendTaskHeartbeat` when `heartbeat`) on this stack's machines.

    A task token's callback is authorised against the machine that issued it (CDK's own
    `grantTaskResponse` grants on the machine's ARN); `SendTaskFailure` is never sent: a failure
    reaches the machine as a `failed` heartbeat, which `finish` turns into the operator's Error.
    """
    actions = ["states:SendTaskSuccess", *(["states:SendTaskHeartbeat"] if heartbeat else [])]
    return iam.PolicyStatement(actions=actions, resources=[state_machine_arn_pattern])
