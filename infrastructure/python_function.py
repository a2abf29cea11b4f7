"""A Python Lambda as every Medialens function is deployed: own role, own log group, the SDK layer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Aws, CfnCondition, Duration, Fn, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct

# python3.12 runs on Amazon Linux 2023 (glibc 2.34): the media tools' wheels need glibc >= 2.28,
# which python3.11's Amazon Linux 2 lacks. The code is 3.11-compatible and tested on 3.11 locally.
RUNTIME = lambda_.Runtime.PYTHON_3_12
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
DEFAULT_TIMEOUT = Duration.seconds(30)


@dataclass(frozen=True)
class FunctionDefaults:
    """What the functions built from one code asset share: the code, the layers, the tracing switch."""

    code: lambda_.Code
    layers: Sequence[lambda_.ILayerVersion]
    tracing: CfnCondition  # EnableXrayTrace


class PythonFunction(Construct):
    """One handler of this repository as a Lambda.

    The role is made here rather than by `lambda_.Function` so it holds no managed policy: it may
    write to its own log group only, plus whatever the stack grants.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        handler: str,
        environment: Mapping[str, str] | None = None,
        service_name: str,
        description: str,
        timeout: Duration | None = None,
        memory_size: int = 512,
        role: iam.Role | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self, "Logs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        # A caller passes `role` when something made before the function must name it.
        self.role = role or iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Medialens {service_name}",
        )
        env = {"POWERTOOLS_SERVICE_NAME": service_name, **(environment or {})}
        # Powertools' Tracer follows the EnableXrayTrace parameter like the function itself.
        tracing_off = Fn.condition_if(defaults.tracing.logical_id, "false", "true")
        env["POWERTOOLS_TRACE_DISABLED"] = tracing_off.to_string()
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            architecture=lambda_.Architecture.X86_64,  # the layer holds manylinux x86_64 wheels
            code=defaults.code,
            handler=handler,
            layers=list(defaults.layers),
            environment=env,
            description=description,
            timeout=timeout or DEFAULT_TIMEOUT,
            memory_size=memory_size,
            role=self.role,
            log_group=self.log_group,
        )
        self.log_group.grant_write(self.role)
        self._trace_if(defaults.tracing)

    def _trace_if(self, condition: CfnCondition) -> None:
        cfn = self.function.node.default_child
        assert isinstance(cfn, lambda_.CfnFunction)
        cfn.tracing_config = Fn.condition_if(condition.logical_id, {"Mode": "Active"}, Aws.NO_VALUE)
        # Granted whether or not tracing is on: a conditional policy would have to repeat the
        # function's own condition too (optional operators), and without tracing it is unused.
        # X-Ray's write actions have no resource-level permissions.
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]
            )
        )


def custom_resource_provider(scope: Construct, handler: lambda_.IFunction) -> cr.Provider:
    """CDK's custom-resource framework for `handler`, its own logs kept as long as the functions'."""
    return cr.Provider(
        scope,
        "Provider",
        on_event_handler=handler,
        log_group=logs.LogGroup(
            scope, "ProviderLogs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        ),
    )
