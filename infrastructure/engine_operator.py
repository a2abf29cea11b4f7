"""The platform's engine operator on AWS: the functions that run every registered engine.

Chunk engines run on `prepare`, `chunks` and `merge` (operators/engine/handlers.py); stream and
batch engines on `start` and `finish` (operators/engine/tasks.py: `start` is invoked with
`.waitForTaskToken`, the engine's webhooks end the wait). They are shared by every engine
operation; the generated machines name them through `arn_environment` (the workflow API reads
it, api/workflow/generator/arns.py). Their code asset holds `operators` and `api` (the engine's
block, plan and contract live in `api/engines`), their layers the SDK and the media tools (ffmpeg,
libmediainfo, jsonschema). Every one may call the dataplane API. In the dataplane bucket the chunk
functions read and write under the assets prefix (media in, chunks and results out); `start`
reads there too (the engine's `cacheURI` is a GET presigned with its role) but writes only under
the engine runs' prefix, and `finish` reads and writes only there. `start` answers the task token
itself when there is nothing to wait for. Engines are reached over http(s) from the Lambda's
default network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import CfnCondition, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct
from medialens_helper import settings

from api.dataplane.layout import ASSETS_ROOT
from api.engines.tasks import ENGINE_WEBHOOK_ENDPOINT
from api.workflow.generator.arns import ASYNC_ENGINE_ENVIRONMENT_VARIABLES, ENGINE_ENVIRONMENT_VARIABLES
from infrastructure.engine_webhooks import ENGINE_RUN_OBJECTS, task_response_statement
from infrastructure.paths import REPO_ROOT, only_packages
from infrastructure.python_function import FunctionDefaults, PythonFunction


@dataclass(frozen=True)
class EngineFunction:
    handler: str
    memory_mb: int
    reads: str  # object key pattern in the dataplane bucket
    writes: str


ASSETS = f"{ASSETS_ROOT}*"
# Generator field -> function; one call must fit a Lambda's longest run (Ready alone may take 600 s).
FUNCTIONS: Mapping[str, EngineFunction] = {
    # ffmpeg cuts the media in prepare; the threads of a call hold their chunks; merge holds them all.
    "engine_prepare": EngineFunction("operators.engine.handlers.prepare", 2048, ASSETS, ASSETS),
    "engine_chunks": EngineFunction("operators.engine.handlers.chunks", 2048, ASSETS, ASSETS),
    "engine_merge": EngineFunction("operators.engine.handlers.merge", 2048, ASSETS, ASSETS),
    # start presigns the input and writes the task record; finish reads the record, the last
    # heartbeat and the results, and writes a transcript's text.
    "engine_start": EngineFunction("operators.engine.tasks.start", 512, ASSETS, ENGINE_RUN_OBJECTS),
    "engine_finish": EngineFunction(
        "operators.engine.tasks.finish", 2048, ENGINE_RUN_OBJECTS, ENGINE_RUN_OBJECTS
    ),
}
# A chunk call hands each chunk its webhooks (a chunk engine may answer later); start, the task's.
WEBHOOK_USERS = ("engine_chunks", "engine_start")
TIMEOUT = Duration.seconds(900)


def engine_code() -> lambda_.Code:
    return lambda_.Code.from_asset(str(REPO_ROOT), exclude=only_packages("operators", "api"))


class EngineOperator(Construct):
    """`functions` (generator field -> function) and `arn_environment` (the workflow API's variables)."""

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
        webhook_endpoint: str,
        state_machine_arn_pattern: str,
    ) -> None:
        super().__init__(scope, construct_id)
        defaults = FunctionDefaults(code=engine_code(), layers=layers, tracing=tracing)
        self.functions: dict[str, lambda_.Function] = {}
        for field, spec in FUNCTIONS.items():
            function_name = spec.handler.rsplit(".", 1)[1]
            environment = {
                settings.DATAPLANE_API_ENDPOINT: dataplane_api_url,
                settings.DATAPLANE_BUCKET: bucket.bucket_name,
            }
            if field in WEBHOOK_USERS:  # the base of the webhook URLs they give the engine
                environment[ENGINE_WEBHOOK_ENDPOINT] = webhook_endpoint
            function = PythonFunction(
                self,
                "".join(part.title() for part in field.split("_")),
                handler=spec.handler,
                defaults=defaults,
                environment=environment,
                service_name=f"engine-operator-{function_name}",
                description=f"Medialens engine operator ({function_name})",
                timeout=TIMEOUT,
                memory_size=spec.memory_mb,
            ).function
            bucket.grant_read(function, spec.reads)
            bucket.grant_put(function, spec.writes)
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["execute-api:Invoke"], resources=[dataplane_invoke_arn])
            )
            self.functions[field] = function
        # Media the engine does not take, or an engine that answered at once: nothing to wait for.
        self.functions["engine_start"].add_to_role_policy(
            task_response_statement(state_machine_arn_pattern, heartbeat=False)
        )
        variables = {**ENGINE_ENVIRONMENT_VARIABLES, **ASYNC_ENGINE_ENVIRONMENT_VARIABLES}
        self.arn_environment: dict[str, str] = {
            variable: self.functions[field].function_arn for field, variable in variables.items()
        }
