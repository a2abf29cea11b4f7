"""The platform's engine operator on AWS: the three functions that run every registered chunk engine.

`prepare`, `chunks` and `merge` (operators/engine/handlers.py) are shared by every engine
operation; the generated machines name them through `arn_environment` (the workflow API reads it,
api/workflow/generator/arns.py). Their code asset holds `operators` and `api` (the engine's block,
plan and contract live in `api/engines`), their layers the SDK and the media tools (ffmpeg,
libmediainfo, jsonschema). Like the operator library's functions they may call the dataplane API
and read and write the dataplane bucket under the assets prefix only. Engines are reached over
http(s) from the Lambda's default network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import CfnCondition, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct
from medialens_helper import settings

from api.dataplane.layout import ASSETS_ROOT
from api.workflow.generator.arns import ENGINE_ENVIRONMENT_VARIABLES
from infrastructure.paths import REPO_ROOT, only_packages
from infrastructure.python_function import FunctionDefaults, PythonFunction

HANDLER_MODULE = "operators.engine.handlers"
# Generator field -> handler function; one call must fit a Lambda's longest run.
HANDLERS: Mapping[str, str] = {
    "engine_prepare": "prepare",
    "engine_chunks": "chunks",
    "engine_merge": "merge",
}
TIMEOUT = Duration.seconds(900)
MEMORY_MB = 2048  # ffmpeg cuts the media in prepare; the threads of a call hold their chunks


def engine_code() -> lambda_.Code:
    return lambda_.Code.from_asset(str(REPO_ROOT), exclude=only_packages("operators", "api"))


class EngineOperator(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        layers: Sequence[lambda_.ILayerVersion],
        tracing: CfnCondition,
        bucket: s3.IBucket,
        dataplane_api_url: str,
        dataplane_invoke_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        defaults = FunctionDefaults(code=engine_code(), layers=layers, tracing=tracing)
        self.functions: dict[str, lambda_.Function] = {}
        for field, function_name in HANDLERS.items():
            made = PythonFunction(
                self,
                "".join(part.title() for part in field.split("_")),
                handler=f"{HANDLER_MODULE}.{function_name}",
                defaults=defaults,
                environment={
                    settings.DATAPLANE_API_ENDPOINT: dataplane_api_url,
                    settings.DATAPLANE_BUCKET: bucket.bucket_name,
                },
                service_name=f"engine-operator-{function_name}",
                description=f"Medialens engine operator ({function_name})",
                timeout=TIMEOUT,
                memory_size=MEMORY_MB,
            )
            function = made.function
            bucket.grant_read(function, f"{ASSETS_ROOT}*")
            bucket.grant_put(function, f"{ASSETS_ROOT}*")
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["execute-api:Invoke"], resources=[dataplane_invoke_arn])
            )
            self.functions[field] = function
        self.arn_environment: dict[str, str] = {
            variable: self.functions[field].function_arn
            for field, variable in ENGINE_ENVIRONMENT_VARIABLES.items()
        }
