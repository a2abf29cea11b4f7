"""The dataplane's storage: media/results bucket (+ its access-log bucket), table, stream, cursor secret."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from api.dataplane.storage_schema import table_definition
from infrastructure.tables import table_from_definition

ACCESS_LOG_PREFIX = "dataplane-bucket/"


class DataplaneStorage(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.access_log_bucket = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,  # the only encryption S3 log delivery supports
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            versioned=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=self.access_log_bucket,
            server_access_logs_prefix=ACCESS_LOG_PREFIX,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            # Result pages are rewritten idempotently; old versions need not live forever.
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.table = table_from_definition(self, "Table", table_definition())
        self.stream_key = kms.Key(
            self,
            "StreamKey",
            description="Medialens dataplane stream",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.stream = kinesis.Stream(
            self,
            "Stream",
            stream_mode=kinesis.StreamMode.ON_DEMAND,
            encryption=kinesis.StreamEncryption.KMS,
            encryption_key=self.stream_key,
            retention_period=Duration.hours(24),
        )
        self.cursor_secret = secretsmanager.Secret(
            self,
            "CursorSigningSecret",
            description="Medialens: HMAC key signing the APIs' pagination cursors",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
            removal_policy=RemovalPolicy.DESTROY,
        )
