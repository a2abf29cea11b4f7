"""The optional analytics pipeline: dataplane stream -> consumer Lambda -> OpenSearch, with Dashboards.

Everything here exists only when `DeployAnalyticsPipeline` is true. The domain's access policy
admits two principals: the consumer's role (writes) and the role Dashboards users get after signing
in to the Cognito user pool (no self sign-up: an administrator creates users). Requests are
SigV4-signed either way; nothing is reachable anonymously.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, CfnCondition, Duration, Fn, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_opensearchservice as opensearch
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from api.dataplane.layout import ASSETS_ROOT
from api.search.config import SEARCH_ENDPOINT
from infrastructure.conditions import deploy_only_if
from infrastructure.dashboards_objects import DashboardsObjects
from infrastructure.python_function import LOG_RETENTION, FunctionDefaults, PythonFunction

HANDLER = "api.search.handler.lambda_handler"
ENGINE = opensearch.EngineVersion.OPENSEARCH_2_19
# The consumer only POSTs: _bulk writes, _refresh, and _delete_by_query (api/search/client.py).
CONSUMER_ACTIONS = ["es:ESHttpPost"]
DASHBOARDS_ACTIONS = ["es:ESHttp*"]
BATCH_SIZE = 100
RETRY_ATTEMPTS = 5  # then the record's position goes to the dead-letter queue, and the shard moves on


class AnalyticsPipeline(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        stream: kinesis.IStream,
        bucket: s3.IBucket,
        condition: CfnCondition,
    ) -> None:
        super().__init__(scope, construct_id)
        deploy_only_if(self, condition)
        self.consumer_role = iam.Role(
            self,
            "ConsumerRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Medialens search consumer",
        )
        self.dashboards = DashboardsSignIn(self, "DashboardsSignIn")
        self.dashboards_import_role = import_role = iam.Role(
            self,
            "DashboardsImportRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Medialens Dashboards import",
        )
        self.domain = self._domain(
            principals=[self.consumer_role, self.dashboards.authenticated_role, import_role]
        )
        self.dashboards_objects = DashboardsObjects(
            self, "DashboardsObjects", defaults=defaults, domain=self.domain, role=import_role
        )
        self.dashboards_url = f"https://{self.domain.domain_endpoint}/_dashboards"

        made = PythonFunction(
            self,
            "Consumer",
            handler=HANDLER,
            defaults=defaults,
            environment={SEARCH_ENDPOINT: f"https://{self.domain.domain_endpoint}"},
            service_name="search-consumer",
            description="Medialens: indexes dataplane results in OpenSearch",
            timeout=Duration.minutes(2),
            role=self.consumer_role,
        )
        self.function = made.function
        bucket.grant_read(self.function, f"{ASSETS_ROOT}*")  # result pages live under the assets prefix
        self.function.add_to_role_policy(
            iam.PolicyStatement(actions=CONSUMER_ACTIONS, resources=[f"{self.domain.domain_arn}/*"])
        )
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        self.function.add_event_source(
            sources.KinesisEventSource(
                stream,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=BATCH_SIZE,
                max_batching_window=Duration.seconds(1),
                report_batch_item_failures=True,
                bisect_batch_on_error=True,
                retry_attempts=RETRY_ATTEMPTS,
                on_failure=sources.SqsDlq(self.dead_letters),
            )
        )

    def _domain(self, *, principals: Sequence[iam.IRole]) -> opensearch.Domain:
        slow_logs = logs.LogGroup(
            self, "SlowLogs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        app_logs = logs.LogGroup(
            self, "AppLogs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        # Our own resource policy: the construct's default would deploy a custom resource for it.
        logs.ResourcePolicy(
            self,
            "LogDelivery",
            policy_statements=[
                iam.PolicyStatement(
                    principals=[iam.ServicePrincipal("es.amazonaws.com")],
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[slow_logs.log_group_arn, app_logs.log_group_arn],
                )
            ],
        )
        domain = opensearch.Domain(
            self,
            "Domain",
            version=ENGINE,
            # One small node: an inspection index for one platform, not a production search tier.
            capacity=opensearch.CapacityConfig(
                data_nodes=1, data_node_instance_type="t3.small.search", multi_az_with_standby_enabled=False
            ),
            ebs=opensearch.EbsOptions(volume_size=10, volume_type=ec2.EbsDeviceVolumeType.GP3),
            encryption_at_rest=opensearch.EncryptionAtRestOptions(enabled=True),
            node_to_node_encryption=True,
            enforce_https=True,
            tls_security_policy=opensearch.TLSSecurityPolicy.TLS_1_2,
            logging=opensearch.LoggingOptions(
                slow_search_log_enabled=True,
                slow_search_log_group=slow_logs,
                slow_index_log_enabled=True,
                slow_index_log_group=slow_logs,
                app_log_enabled=True,
                app_log_group=app_logs,
            ),
            suppress_logs_resource_policy=True,
            cognito_dashboards_auth=self.dashboards.options,
            removal_policy=RemovalPolicy.DESTROY,
        )
        cfn = domain.node.default_child
        assert isinstance(cfn, opensearch.CfnDomain)
        # Set on the L1 resource: the L2 prop would apply it through a custom resource. The domain
        # name is generated, so the resource names this account's domains; the policy binds only
        # the domain it is attached to.
        cfn.access_policies = iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    principals=[iam.ArnPrincipal(role.role_arn) for role in principals],
                    actions=DASHBOARDS_ACTIONS,
                    resources=[f"arn:{Aws.PARTITION}:es:{Aws.REGION}:{Aws.ACCOUNT_ID}:domain/*"],
                )
            ]
        ).to_json()
        return domain


class DashboardsSignIn(Construct):
    """Cognito user pool + identity pool through which people sign in to OpenSearch Dashboards."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "Users",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True, email=True),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_digits=True,
                require_lowercase=True,
                require_uppercase=True,
                require_symbols=True,
            ),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # Dashboards' sign-in page lives on a Cognito domain; its prefix must be unique in the
        # region, so it is derived from the stack's id rather than fixed.
        self.user_pool.add_domain(
            "SignInDomain",
            cognito_domain=cognito.CognitoDomainOptions(
                domain_prefix=Fn.join("-", ["medialens", Fn.select(2, Fn.split("/", Aws.STACK_ID))])
            ),
        )
        self.identity_pool = cognito.CfnIdentityPool(
            self, "Identities", allow_unauthenticated_identities=False
        )
        self.authenticated_role = iam.Role(
            self,
            "DashboardsUserRole",
            description="Medialens Dashboards users (signed in through Cognito)",
            assumed_by=iam.FederatedPrincipal(
                "cognito-identity.amazonaws.com",
                conditions={
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": self.identity_pool.ref},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
                },
                assume_role_action="sts:AssumeRoleWithWebIdentity",
            ),
        )
        cognito.CfnIdentityPoolRoleAttachment(
            self,
            "Roles",
            identity_pool_id=self.identity_pool.ref,
            roles={"authenticated": self.authenticated_role.role_arn},
        )
        # OpenSearch creates the app client and configures the pools itself, with this role.
        self.configuration_role = iam.Role(
            self,
            "ConfigurationRole",
            description="Lets OpenSearch configure Cognito sign-in for Medialens Dashboards",
            assumed_by=iam.ServicePrincipal("opensearchservice.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("AmazonOpenSearchServiceCognitoAccess")
            ],
        )
        self.options = opensearch.CognitoOptions(
            identity_pool_id=self.identity_pool.ref,
            user_pool_id=self.user_pool.user_pool_id,
            role=self.configuration_role,
        )
