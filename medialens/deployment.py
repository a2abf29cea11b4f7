"""What the local runtime deploys: the local counterpart of the CDK app.

The names, functions, environment variables and event sources here mirror `infrastructure/`, so a
handler sees the same configuration on the local platform as on AWS. Where AWS acts on its own
(status-change events, the scheduler's periodic rule), background tasks stand in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError
from medialens_helper import HttpTransport, settings
from medialens_helper.workflow_client import WorkflowClient

from api.dataplane.storage_schema import table_definition
from api.engines import tasks as engine_tasks
from api.search import config as search_config
from api.workflow import config as workflow_config
from api.workflow.executions import environment as execution_env
from api.workflow.executions import table_definition as executions_table_definition
from api.workflow.generator import arns as step_arns
from api.workflow.scheduler import handler as scheduler
from api.workflow.table import table_definition as definitions_table_definition
from medialens.durability.changes import Change
from medialens.execution_watch import ExecutionWatcher, recover_executions, status_change_pattern
from medialens.library_registration import register_library
from medialens.operator_library import operator_functions, operator_requests
from medialens.runtime.deployment_protocol import DATAPLANE_API_BASE, WORKFLOW_API_BASE
from medialens.runtime.engine_processes import EngineCommand
from medialens.runtime.event_sources import EventSourceSpec, PollingThread
from medialens.runtime.functions import FunctionSpec
from medialens.runtime.periodic import PeriodicTask
from medialens.runtime.workers import InvokeResult
from medialens.sample_engines import sample_engine_commands
from medialens.search_catchup import republish_results
from medialens.state import Endpoints, StateDir
from operators.catalog import CatalogEntry, load_catalog
from operators.library_engines import operation_requests as engine_operation_requests

# moto's default account: the one every local ARN is in.
LOCAL_ACCOUNT_ID = "123456789012"
SCHEDULER_FUNCTION = "WorkflowScheduler"
STATUS_EVENTS_FUNCTION = "WorkflowStatusEvents"
SEARCH_CONSUMER_FUNCTION = "SearchConsumer"
# The step Lambdas every generated machine calls: generator field -> local function name.
STEP_FUNCTIONS: Mapping[str, str] = {
    "operator_filter": "StepOperatorFilter",
    "operator_failed": "StepOperatorFailed",
    "complete_stage": "StepCompleteStage",
    "complete_workflow": "StepCompleteWorkflow",
    "fail_workflow": "StepFailWorkflow",
    "prepare_media": "StepPrepareMedia",
}
# Copying a large upload into its asset may take minutes; the other steps are quick.
STEP_TIMEOUT_SECONDS: Mapping[str, int] = {"prepare_media": 900}
# The generated engine operators' functions (operators/engine): generator field -> (name, handler).
ENGINE_FUNCTIONS: Mapping[str, tuple[str, str]] = {
    "engine_prepare": ("EngineOperatorPrepare", "operators.engine.handlers.prepare"),
    "engine_chunks": ("EngineOperatorChunks", "operators.engine.handlers.chunks"),
    "engine_merge": ("EngineOperatorMerge", "operators.engine.handlers.merge"),
}
# Stream and batch engines: an Async operator, and the webhooks their engines post to.
ASYNC_ENGINE_FUNCTIONS: Mapping[str, tuple[str, str]] = {
    "engine_start": ("EngineOperatorStart", "operators.engine.tasks.start"),
    "engine_finish": ("EngineOperatorFinish", "operators.engine.tasks.finish"),
}
ENGINE_WEBHOOKS_FUNCTION = "EngineWebhooks"
ENGINE_WEBHOOKS_BASE = "/engine-webhooks"
ENGINE_FUNCTION_TIMEOUT_SECONDS = 900
# What the schedule rule hands the scheduler on AWS (a rate(1 minute) rule); locally it runs faster.
SCHEDULED_EVENT = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
SCHEDULER_TICK_SECONDS = 2.0
# Async operators' poll backoff on the local platform: short, so a demo does not idle.
LOCAL_WAIT_BASE_SECONDS = 1
LOCAL_WAIT_MAX_SECONDS = 4


# The API functions answer every client request: a burst of submissions should not queue behind
# the pool's usual cap of 4 workers a function (on AWS, Lambda scales them out as well).
API_CONCURRENCY = 10


@dataclass(frozen=True)
class ResourceNames:
    """Physical names of the platform's resources on the local runtime."""

    dataplane_bucket: str = "medialens-dataplane"
    dataplane_table: str = "medialens-dataplane"
    dataplane_stream: str = "medialens-dataplane-results"
    definitions_table: str = "medialens-workflow-definitions"
    execution_table: str = "medialens-workflow-executions"
    execution_queue: str = "medialens-workflow-execution-queue"
    status_rule: str = "medialens-execution-status-changes"
    state_machine_role: str = "medialens-local-states"
    state_machine_prefix: str = "medialens"


class LocalDeployment:
    """The platform's resources and functions, provisioned into the moto server."""

    def __init__(
        self,
        state: StateDir,
        names: ResourceNames | None = None,
        operators: list[CatalogEntry] | None = None,
        engines: Sequence[str] = (),
    ) -> None:
        """`engines`: the sample engines (`engines/<name>`) to host and register as operators."""
        self.state = state
        self.names = names or ResourceNames()
        self.operators = load_catalog() if operators is None else operators
        self.engines = tuple(engines)
        self.region = state.credentials().region

    def engine_commands(self) -> list[EngineCommand]:
        return sample_engine_commands(self.engines)

    @property
    def bucket_name(self) -> str:
        return self.names.dataplane_bucket

    def api_routes(self) -> Mapping[str, str]:
        return {
            DATAPLANE_API_BASE: "DataplaneApi",
            WORKFLOW_API_BASE: "WorkflowApi",
            ENGINE_WEBHOOKS_BASE: ENGINE_WEBHOOKS_FUNCTION,
        }

    def open_api_bases(self) -> tuple[str, ...]:
        """Served without SigV4: engines cannot sign; the webhooks check each task's own secret."""
        return (ENGINE_WEBHOOKS_BASE,)

    def function_arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self.region}:{LOCAL_ACCOUNT_ID}:function:{name}"

    def queue_url(self, moto_url: str) -> str:
        return f"{moto_url}/{LOCAL_ACCOUNT_ID}/{self.names.execution_queue}"

    def state_machine_arn_prefix(self) -> str:
        return (
            f"arn:aws:states:{self.region}:{LOCAL_ACCOUNT_ID}:stateMachine:{self.names.state_machine_prefix}-"
        )

    def functions(self, moto_url: str, api_url: str) -> list[FunctionSpec]:
        storage = {
            settings.DATAPLANE_BUCKET: self.names.dataplane_bucket,
            settings.DATAPLANE_TABLE: self.names.dataplane_table,
            settings.DATAPLANE_STREAM: self.names.dataplane_stream,
        }
        endpoints = {
            settings.DATAPLANE_API_ENDPOINT: api_url + DATAPLANE_API_BASE,
            settings.WORKFLOW_API_ENDPOINT: api_url + WORKFLOW_API_BASE,
        }
        executions = {
            execution_env.WORKFLOW_EXECUTION_TABLE: self.names.execution_table,
            execution_env.WORKFLOW_DEFINITIONS_TABLE: self.names.definitions_table,
            execution_env.EXECUTION_QUEUE_URL: self.queue_url(moto_url),
            execution_env.WORKFLOW_SCHEDULER_LAMBDA_ARN: self.function_arn(SCHEDULER_FUNCTION),
        }
        steps = {
            step_arns.ENVIRONMENT_VARIABLES[field]: self.function_arn(name)
            for field, name in STEP_FUNCTIONS.items()
        }
        steps.update(
            {
                step_arns.ENGINE_ENVIRONMENT_VARIABLES[field]: self.function_arn(name)
                for field, (name, _) in ENGINE_FUNCTIONS.items()
            }
        )
        steps.update(
            {
                step_arns.ASYNC_ENGINE_ENVIRONMENT_VARIABLES[field]: self.function_arn(name)
                for field, (name, _) in ASYNC_ENGINE_FUNCTIONS.items()
            }
        )
        platform = [
            FunctionSpec(
                name="DataplaneApi",
                reserved_concurrency=API_CONCURRENCY,
                handler="api.dataplane.handler.lambda_handler",
                environment={
                    **storage,
                    settings.CURSOR_SIGNING_KEY: self.state.cursor_signing_key(),
                    settings.DATAPLANE_API_ENDPOINT: api_url + DATAPLANE_API_BASE,
                    # Read before deleting an asset: executions of it must be over first.
                    execution_env.WORKFLOW_EXECUTION_TABLE: self.names.execution_table,
                    "POWERTOOLS_SERVICE_NAME": "dataplane-api",
                },
                timeout_seconds=30,
            ),
            FunctionSpec(
                name="WorkflowApi",
                reserved_concurrency=API_CONCURRENCY,
                handler="api.workflow.handler.lambda_handler",
                environment={
                    **executions,
                    **steps,
                    **endpoints,
                    workflow_config.CURSOR_SIGNING_KEY: self.state.cursor_signing_key(),
                    workflow_config.STEP_FUNCTIONS_ROLE_ARN: self._role_arn(self.names.state_machine_role),
                    workflow_config.STATE_MACHINE_PREFIX: self.names.state_machine_prefix,
                    "POWERTOOLS_SERVICE_NAME": "workflow-api",
                },
                timeout_seconds=30,
            ),
            FunctionSpec(
                name=SCHEDULER_FUNCTION,
                handler="api.workflow.scheduler.handler.lambda_handler",
                environment={
                    **executions,
                    scheduler.WORKFLOW_WAIT_BASE_SECONDS: str(LOCAL_WAIT_BASE_SECONDS),
                    scheduler.WORKFLOW_WAIT_MAX_SECONDS: str(LOCAL_WAIT_MAX_SECONDS),
                    "POWERTOOLS_SERVICE_NAME": "workflow-scheduler",
                },
                timeout_seconds=60,
            ),
            FunctionSpec(
                # The dataplane stream's consumer, writing a local index instead of OpenSearch.
                name=SEARCH_CONSUMER_FUNCTION,
                handler="api.search.handler.lambda_handler",
                environment={
                    search_config.SEARCH_SQLITE_PATH: str(self.state.search_index),
                    "POWERTOOLS_SERVICE_NAME": "search-consumer",
                },
                timeout_seconds=60,
            ),
            FunctionSpec(
                name=STATUS_EVENTS_FUNCTION,
                handler="api.workflow.status_events.handler.lambda_handler",
                environment={**executions, "POWERTOOLS_SERVICE_NAME": "workflow-status-events"},
                timeout_seconds=30,
            ),
        ]
        step_functions = [
            FunctionSpec(
                name=name,
                handler=f"api.workflow.steps.handlers.{field}",
                environment={**executions, "POWERTOOLS_SERVICE_NAME": "workflow-steps"},
                timeout_seconds=STEP_TIMEOUT_SECONDS.get(field, 30),
            )
            for field, name in STEP_FUNCTIONS.items()
        ]
        operator_env = {
            settings.DATAPLANE_API_ENDPOINT: api_url + DATAPLANE_API_BASE,
            settings.DATAPLANE_BUCKET: self.names.dataplane_bucket,
        }
        # Chunk calls and stream/batch starts hand engines webhook URLs on this base.
        webhooks = {engine_tasks.ENGINE_WEBHOOK_ENDPOINT: api_url + ENGINE_WEBHOOKS_BASE}
        engine_functions = [
            FunctionSpec(
                name=name,
                handler=handler,
                environment={**operator_env, **webhooks, "POWERTOOLS_SERVICE_NAME": "engine-operator"},
                timeout_seconds=ENGINE_FUNCTION_TIMEOUT_SECONDS,
                memory_mb=2048,
                warm_at_start=False,  # used by engine workflows only: started at their first call
            )
            for name, handler in ENGINE_FUNCTIONS.values()
        ]
        engine_functions += [
            FunctionSpec(
                name=name,
                handler=handler,
                environment={**operator_env, **webhooks, "POWERTOOLS_SERVICE_NAME": "engine-operator"},
                timeout_seconds=120,  # Ready (60 s by default) and one /process call
                warm_at_start=False,
            )
            for name, handler in ASYNC_ENGINE_FUNCTIONS.values()
        ]
        engine_functions.append(
            FunctionSpec(
                name=ENGINE_WEBHOOKS_FUNCTION,
                handler="api.engines.webhooks.lambda_handler",
                environment={
                    settings.DATAPLANE_BUCKET: self.names.dataplane_bucket,
                    "POWERTOOLS_SERVICE_NAME": "engine-webhooks",
                },
                timeout_seconds=30,
            )
        )
        return platform + step_functions + engine_functions + operator_functions(self.operators, operator_env)

    @staticmethod
    def _role_arn(name: str) -> str:
        return f"arn:aws:iam::{LOCAL_ACCOUNT_ID}:role/{name}"

    def coalesced_async_functions(self) -> tuple[str, ...]:
        """The scheduler's async invocations are nudges: a burst of submissions queues one run, not
        one per submission (a queued run drains everything submitted before it starts)."""
        return (SCHEDULER_FUNCTION,)

    def event_sources(self) -> list[EventSourceSpec]:
        # The execution queue has no event source: the scheduler drains it when nudged (a submit, a
        # freed slot) and on its periodic run, so a message that found no slot is visible again at once.
        return [
            EventSourceSpec("kinesis", self.names.dataplane_stream, SEARCH_CONSUMER_FUNCTION, batch_size=100)
        ]

    def provision(self, session: boto3.Session) -> None:
        """Create every resource; existing ones are kept, so this is safe to run again."""
        s3 = session.client("s3")
        _ignore_exists(lambda: s3.create_bucket(Bucket=self.names.dataplane_bucket))
        dynamodb = session.client("dynamodb")
        tables = {
            self.names.dataplane_table: table_definition(),
            self.names.definitions_table: definitions_table_definition(),
            self.names.execution_table: executions_table_definition(),
        }
        for table_name, definition in tables.items():
            _create_table(dynamodb, table_name, definition)
        kinesis = session.client("kinesis")
        _ignore_exists(
            lambda: kinesis.create_stream(
                StreamName=self.names.dataplane_stream, StreamModeDetails={"StreamMode": "ON_DEMAND"}
            )
        )
        session.client("sqs").create_queue(
            QueueName=self.names.execution_queue, Attributes={"VisibilityTimeout": "60"}
        )
        iam = session.client("iam")
        _ignore_exists(
            lambda: iam.create_role(
                RoleName=self.names.state_machine_role, AssumeRolePolicyDocument=_STATES_TRUST_POLICY
            )
        )
        events = session.client("events")
        events.put_rule(
            Name=self.names.status_rule,
            EventPattern=json.dumps(status_change_pattern(self.state_machine_arn_prefix())),
            State="ENABLED",
        )
        events.put_targets(
            Rule=self.names.status_rule,
            Targets=[{"Id": "status-events", "Arn": self.function_arn(STATUS_EVENTS_FUNCTION)}],
        )

    def recover(self, session: boto3.Session, moto_url: str, replayed: Sequence[Change]) -> str:
        counts = recover_executions(session, self.names.execution_table, self.queue_url(moto_url))
        message = f"executions: {counts['ended']} interrupted ended in Error, {counts['queued']} queued again"
        if counts["recounted"]:
            message += f"; slot count corrected by {counts['recounted']:+d}"
        reindexed = republish_results(
            session, self.names.dataplane_bucket, self.names.dataplane_stream, replayed
        )
        if reindexed:
            message += f"; {reindexed} result pages sent to the search index again"
        return message

    def background_tasks(
        self, session: boto3.Session, invoke: Callable[[str, bytes], InvokeResult]
    ) -> list[PollingThread]:
        tick = json.dumps(SCHEDULED_EVENT).encode()
        return [
            ExecutionWatcher(session, self.names.execution_table),
            PeriodicTask("scheduler-tick", SCHEDULER_TICK_SECONDS, lambda: invoke(SCHEDULER_FUNCTION, tick)),
        ]

    def on_ready(self, endpoints: Endpoints, progress: Callable[[str], None]) -> None:
        """Register the operator library and its workflows through the API, as the custom resource does."""
        credentials = self.state.credentials()
        session = boto3.Session(
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            region_name=credentials.region,
        )
        client = WorkflowClient(HttpTransport(endpoints.workflow_api, session=session))
        operations = [
            *operator_requests(self.operators, self.function_arn),
            *engine_operation_requests(endpoints.engines),
        ]
        outcome = register_library(client, self.state, operations)
        for line in outcome.lines():
            progress(line)


_STATES_TRUST_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
_EXISTS_CODES = {
    "BucketAlreadyOwnedByYou",
    "ResourceInUseException",
    "ResourceConflictException",
    "EntityAlreadyExists",
}


def _create_table(dynamodb: Any, name: str, definition: Mapping[str, Any]) -> None:
    _ignore_exists(lambda: dynamodb.create_table(TableName=name, **definition))


def _ignore_exists(create: Callable[[], object]) -> None:
    try:
        create()
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in _EXISTS_CODES:
            raise
