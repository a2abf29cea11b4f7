"""The cdk-nag AwsSolutions findings this design accepts, each with its reason, on the narrowest scope.

Wildcard findings (IAM5) are acknowledged one resource pattern at a time, with the pattern built
from the construct it names, so a new wildcard anywhere still fails the build.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Acknowledgment, CfnResource, Stack, Validations
from constructs import IConstruct

if TYPE_CHECKING:
    from infrastructure.stack import MedialensStack

PACK = "AwsSolutions::AwsSolutions"


def acknowledge_findings(stack: MedialensStack) -> None:
    _stack_wide(stack)
    _apis(stack)
    _engine_webhooks(stack)
    _storage_grants(stack)
    _control_plane_grants(stack)
    _analytics(stack)


def _ack(scope: IConstruct, rule: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=f"{PACK}-{rule}", reason=reason))


def _ref(construct: IConstruct) -> str:
    """`<LogicalId>` as cdk-nag writes a resource reference in a finding."""
    resource = construct.node.default_child if not isinstance(construct, CfnResource) else construct
    assert isinstance(resource, CfnResource)
    return f"<{Stack.of(construct).get_logical_id(resource)}>"


def _arn(construct: IConstruct) -> str:
    return f"<{_ref(construct)[1:-1]}.Arn>"


def _stack_wide(stack: MedialensStack) -> None:
    _ack(
        stack,
        "L1",
        "Functions run python3.12 on purpose: the layers' compiled wheels (pydantic-core, libmediainfo, "
        "ffmpeg) are fetched for exactly that runtime and glibc; the runtime moves with the layer pins. "
        "The custom-resource framework function's runtime is chosen by CDK.",
    )
    _ack(
        stack,
        "IAM5[Resource::*]",
        "Only actions without resource-level permissions: xray:PutTraceSegments/PutTelemetryRecords "
        "(tracing) and states:ListStateMachines (finding a workflow's machine by name).",
    )


def _apis(stack: MedialensStack) -> None:
    for service in (stack.dataplane_api.service, stack.workflow_api.service):
        rest = service.rest_api
        _ack(
            rest.health_method,
            "APIG4",
            "GET / is the unauthenticated health check, as in MIE; it reveals nothing and changes nothing.",
        )
        _ack(
            rest,
            "COG4",
            "Every route but the health check uses AWS_IAM (SigV4), the platform's auth model shared "
            "with MIE clients and awscurl; Cognito user pools are not part of it.",
        )
        _ack(
            rest,
            "APIG3",
            "Regional API where every route but the health check requires a SigV4-signed IAM "
            "principal; owners who want WAF associate their own web ACL with the stage.",
        )
    _ack(
        stack,
        "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
        "API Gateway's account-level CloudWatch role, needed for the stages' execution and access "
        "logs; AWS maintains this policy for exactly that role.",
    )


def _engine_webhooks(stack: MedialensStack) -> None:
    webhooks = stack.engine_webhooks
    for method in webhooks.methods.values():
        _ack(
            method,
            "APIG4",
            "An engine's heartbeat/result webhook: engines are plain http services that hold no AWS "
            "credentials and cannot sign; the per-task secret in the URL authorizes (only its SHA-256 "
            "is stored, it expires at the task's maxTTL, a wrong one is a 403 that stores nothing).",
        )
        _ack(
            method,
            "COG4",
            "Engines cannot sign in to a Cognito user pool either; the per-task secret in the URL "
            "authorizes this route, as the Veritone toolkit's webhooks are authorized by their URL.",
        )
    _ack(
        webhooks.api.deployment_stage,
        "APIG3",
        "The webhook stage is throttled (rate and burst on every route) and every call is checked "
        "against a per-task secret before anything is written; owners who want per-address limits "
        "associate their own web ACL with this stage alone.",
    )
    _ack(
        stack,
        f"IAM5[Resource::{_arn(stack.dataplane_storage.bucket)}/private/assets/*/engines/*]",
        "Engine runs' files (task record, last heartbeat, results) under any asset's media path; "
        "which asset and run is decided per execution at run time.",
    )


def _storage_grants(stack: MedialensStack) -> None:
    storage = stack.dataplane_storage
    bucket = storage.bucket
    reason_actions = (
        "CDK's bucket grant action groups (GetObject*, GetBucket*, List*, Abort*, DeleteObject*), "
        "scoped to the dataplane bucket and its objects."
    )
    for action in ("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:Abort*", "s3:DeleteObject*"):
        _ack(stack, f"IAM5[Action::{action}]", reason_actions)
    _ack(
        stack,
        f"IAM5[Resource::{_arn(bucket)}/*]",
        "Objects of the dataplane bucket: the dataplane API copies uploads into assets and manages "
        "every asset's media and result pages.",
    )
    _ack(
        stack,
        f"IAM5[Resource::{_arn(bucket)}/private/assets/*]",
        "Operators read media and write results, and the search consumer reads result pages, only "
        "under the assets prefix; which asset is decided per execution at run time.",
    )
    _ack(
        stack,
        f"IAM5[Resource::{_arn(storage.table)}/index/*]",
        "The dataplane table's own secondary indexes (CDK's table grant).",
    )
    for action in ("kms:ReEncrypt*", "kms:GenerateDataKey*"):
        _ack(stack, f"IAM5[Action::{action}]", "CDK's grant on the stream's own KMS key, for encrypted puts.")
    _ack(
        storage.stream,
        "KDS3",
        "A customer-managed key (rotated) so its key policy, not the account default key, decides who "
        "may read the results stream.",
    )
    _ack(
        storage.cursor_secret,
        "SMG4",
        "An HMAC key for pagination cursors, not a credential: rotating it only invalidates cursors "
        "in flight; replace it by updating the secret value when needed.",
    )
    dataplane_api = stack.dataplane_api.service.rest_api
    _ack(
        stack,
        f"IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:{_ref(dataplane_api.api)}/api/*/*]",
        "Operators call the dataplane API like MIE operators do (any route of that one API and stage).",
    )


def _control_plane_grants(stack: MedialensStack) -> None:
    tables = stack.tables
    _ack(
        stack,
        f"IAM5[Resource::{_arn(tables.executions)}/index/*]",
        "The executions table's own secondary indexes (CDK's table grant).",
    )
    _ack(
        stack,
        f"IAM5[Resource::{_arn(stack.scheduler.function)}:*]",
        "Invoke the scheduler function (CDK's grant covers its versions and aliases).",
    )
    _ack(
        stack,
        f"IAM5[Resource::{_arn(stack.registration.function)}:*]",
        "The custom-resource framework invokes the registration function (CDK's Provider grant).",
    )
    prefix = stack.machines.prefix
    base = "arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>"
    _ack(
        stack,
        f"IAM5[Resource::{base}:stateMachine:{prefix}-*]",
        "Workflow state machines are created at run time by the workflow API; the grant covers only "
        "this stack's name prefix.",
    )
    _ack(
        stack,
        f"IAM5[Resource::{base}:execution:{prefix}-*:*]",
        "Executions of this stack's workflow state machines (created at run time, by name prefix).",
    )
    tagged_functions = "IAM5[Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:*]"
    _ack(
        stack.machines.role,
        tagged_functions,
        "Conditioned on the function tag naming this stack: state machines invoke exactly the "
        "platform's and operators' functions, without a statement per operator (MIE's size limit).",
    )
    _ack(
        stack.workflow_api.service.handler,
        tagged_functions,
        "GetFunctionConfiguration conditioned on the same tag: the workflow API checks that an "
        "operation's functions exist and are ones the state machines may invoke (users create them).",
    )
    workflow_api = _ref(stack.workflow_api.service.rest_api.api)
    for path in ("workflow", "workflow/*"):
        _ack(
            stack.registration,
            f"IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:{workflow_api}/api/*/{path}]",
            "Registration creates, updates and deletes operations, stages and workflows (every method).",
        )
    _ack(
        stack.registration.provider,
        "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        "The custom-resource framework function CDK provides writes its own logs with this policy.",
    )
    _ack(
        stack.scheduler.queue,
        "SQS3",
        "The execution queue has no dead-letter queue on purpose: a waiting execution is received "
        "again every time it finds no free slot, so any receive limit would move waiting work.",
    )


def _analytics(stack: MedialensStack) -> None:
    analytics = stack.analytics
    _ack(
        stack,
        f"IAM5[Resource::{_arn(analytics.domain)}/*]",
        "The consumer writes and deletes documents in the indexes of its own domain.",
    )
    _ack(
        analytics.dead_letters,
        "SQS3",
        "This queue is the dead-letter destination of the consumer's Kinesis event source.",
    )
    domain = analytics.domain
    single_node = (
        "The optional analytics domain is one small node for inspecting results in Dashboards; search "
        "is rebuilt from the dataplane stream and S3, so it needs no standby, masters or zones."
    )
    for rule in ("OS3", "OS4", "OS7"):
        _ack(domain, rule, single_node)
    _ack(
        domain,
        "OS1",
        "Public endpoint on purpose, so Dashboards users sign in through Cognito without a VPN; the "
        "access policy admits only the consumer's and the signed-in users' roles, all SigV4-signed.",
    )
    _ack(
        domain,
        "OS5",
        "Access is by IAM principal (consumer role, Cognito-authenticated role), not by IP address.",
    )
    _ack(
        analytics.dashboards.configuration_role,
        "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonOpenSearchServiceCognitoAccess]",
        "AWS's policy for the role OpenSearch uses to configure Cognito sign-in for Dashboards.",
    )
    _ack(
        analytics.dashboards.user_pool,
        "COG8",
        "Sign-in for a few administrators created by hand, with MFA required and no self sign-up; "
        "the Plus tier's threat protection is left to owners who open it wider.",
    )
    objects = analytics.dashboards_objects
    _ack(
        objects,
        f"IAM5[Resource::{_arn(objects.function)}:*]",
        "The custom-resource framework invokes the Dashboards import function (CDK's Provider grant).",
    )
    _ack(
        objects,
        "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        "CDK's custom-resource framework function writes its own logs with AWS's basic execution policy.",
    )
