"""The Medialens stack: composes the constructs and grants what each needs, nothing else."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from api.dataplane.layout import ASSETS_ROOT
from api.workflow import config as workflow_config
from api.workflow.executions.environment import WORKFLOW_EXECUTION_TABLE, WORKFLOW_SCHEDULER_LAMBDA_ARN
from infrastructure.analytics import AnalyticsPipeline
from infrastructure.dataplane_api import DataplaneApi
from infrastructure.dataplane_storage import DataplaneStorage
from infrastructure.engine_operator import EngineOperator
from infrastructure.engine_webhooks import EngineWebhooks
from infrastructure.layer import MediaToolsLayer, OperatorSdkLayer
from infrastructure.naming import state_machine_prefix
from infrastructure.operator_library import OperatorLibrary
from infrastructure.parameters import PlatformParameters
from infrastructure.paths import REPO_ROOT, only_packages
from infrastructure.python_function import FunctionDefaults
from infrastructure.registration import LibraryRegistration
from infrastructure.sample_engines import SAMPLE_ENGINES_CONTEXT, engine_urls
from infrastructure.scheduler import WorkflowScheduler
from infrastructure.state_machines import WorkflowStateMachines, tag_invokable
from infrastructure.status_events import StatusEvents
from infrastructure.workflow_api import WorkflowApi
from infrastructure.workflow_steps import WorkflowSteps
from infrastructure.workflow_tables import WorkflowTables
from operators.catalog import load_catalog
from operators.library_engines import operation_requests as engine_operation_requests
from operators.library_workflows import library_stages, library_workflows


class MedialensStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, applied_at: str, **kwargs: Any) -> None:
        """`applied_at` differs between deploys, so the library registration runs on every one."""
        super().__init__(scope, construct_id, **kwargs)
        params = PlatformParameters(self, "Parameters")
        self.parameters = params
        # One asset for every platform function (the `api` package) and one for every operator;
        # the SDK and its dependencies come from the layer.
        self.layer = OperatorSdkLayer(self, "OperatorSdk").layer
        platform = FunctionDefaults(
            code=lambda_.Code.from_asset(str(REPO_ROOT), exclude=only_packages("api")),
            layers=[self.layer],
            tracing=params.tracing_enabled,
        )
        operator = FunctionDefaults(
            code=lambda_.Code.from_asset(str(REPO_ROOT), exclude=only_packages("operators")),
            layers=[self.layer, MediaToolsLayer(self, "MediaTools").layer],
            tracing=params.tracing_enabled,
        )

        # Dataplane
        storage = DataplaneStorage(self, "DataplaneStorage")
        dataplane = DataplaneApi(
            self,
            "DataplaneApi",
            defaults=platform,
            storage=storage,
        )
        storage.bucket.grant_read_write(dataplane.function)
        storage.bucket.grant_delete(dataplane.function)
        storage.table.grant_read_write_data(dataplane.function)
        storage.stream.grant_write(dataplane.function)
        storage.cursor_secret.grant_read(dataplane.function)

        # Control plane
        tables = WorkflowTables(self, "WorkflowTables")
        machines = WorkflowStateMachines(self, "StateMachines", prefix=state_machine_prefix(self.stack_name))
        steps = WorkflowSteps(
            self,
            "WorkflowSteps",
            defaults=platform,
            execution_table_name=tables.executions.table_name,
        )
        tag_invokable(steps)
        scheduler = WorkflowScheduler(
            self,
            "Scheduler",
            defaults=platform,
            definitions_table_name=tables.definitions.table_name,
            execution_table_name=tables.executions.table_name,
        )
        status_events = StatusEvents(
            self,
            "StatusEvents",
            defaults=platform,
            execution_table_name=tables.executions.table_name,
            state_machine_arn_prefix=machines.state_machine_arn_prefix,
        )
        # The engine operator: every registered Veritone-style engine runs on these functions; stream
        # and batch engines report to the webhooks, on an API of their own (no SigV4, see there).
        webhooks = EngineWebhooks(
            self,
            "EngineWebhooks",
            defaults=platform,
            bucket=storage.bucket,
            state_machine_arn_pattern=machines.state_machine_arn_pattern,
        )
        engines = EngineOperator(
            self,
            "EngineOperator",
            layers=operator.layers,
            tracing=params.tracing_enabled,
            bucket=storage.bucket,
            dataplane_api_url=dataplane.url,
            dataplane_invoke_arn=dataplane.service.rest_api.invoke_arn("*", "/*"),
            webhook_endpoint=webhooks.url,
            state_machine_arn_pattern=machines.state_machine_arn_pattern,
        )
        tag_invokable(engines)
        workflow = WorkflowApi(
            self,
            "WorkflowApi",
            defaults=platform,
            definitions_table_name=tables.definitions.table_name,
            execution_table_name=tables.executions.table_name,
            execution_queue_url=scheduler.queue.queue_url,
            cursor_secret=storage.cursor_secret,
            state_machine_role_arn=machines.role.role_arn,
            state_machine_prefix=machines.prefix,
            dataplane_api_url=dataplane.url,
            step_function_arns={**steps.arn_environment, **engines.arn_environment},
        )

        # Control plane grants
        # The first step copies an execution's upload into its asset (readable keys: see layout).
        storage.bucket.grant_read(steps.functions["prepare_media"])
        storage.bucket.grant_put(steps.functions["prepare_media"], f"{ASSETS_ROOT}*")
        # The dataplane refuses to delete an asset while executions of it are not over.
        dataplane.function.add_environment(WORKFLOW_EXECUTION_TABLE, tables.executions.table_name)
        tables.executions.grant_read_data(dataplane.function)
        tables.definitions.grant_read_write_data(workflow.function)
        tables.definitions.grant_read_data(scheduler.function)
        for function in (workflow.function, scheduler.function, status_events.function, *steps.table_writers):
            tables.executions.grant_read_write_data(function)
        for function in (workflow.function, status_events.function, *steps.table_writers):
            # Whoever frees a slot or queues an execution nudges the scheduler.
            function.add_environment(WORKFLOW_SCHEDULER_LAMBDA_ARN, scheduler.function.function_arn)
            scheduler.function.grant_invoke(function)
        scheduler.queue.grant_send_messages(workflow.function)
        machines.grant_manage(workflow.function)
        machines.grant_observe_and_stop(workflow.function)
        # `POST|PUT /workflow/operation` checks that the operation's functions exist and are invokable.
        machines.grant_read_invokable(workflow.function)
        workflow.function.add_environment(workflow_config.OPERATOR_INVOKE_TAG, machines.invoke_tag)
        machines.grant_start(scheduler.function)
        # The scheduler stops a machine it started for an execution cancelled meanwhile, and its
        # periodic reconciliation reads whether a Started execution's machine still runs.
        machines.grant_observe_and_stop(scheduler.function)
        # The API creates the asset of a submitted execution through the dataplane API.
        workflow.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["execute-api:Invoke"],
                resources=[dataplane.service.rest_api.invoke_arn("POST", "/create")],
            )
        )

        # Operator library, registered with the workflow API on every deploy
        library = OperatorLibrary(
            self,
            "Operators",
            entries=load_catalog(),
            defaults=operator,
            bucket=storage.bucket,
            dataplane_api_url=dataplane.url,
            dataplane_invoke_arn=dataplane.service.rest_api.invoke_arn("*", "/*"),
            test_resources=params.test_resources_enabled,
        )
        tag_invokable(library)
        # The sample engines' operators where the deployer says the engines run (context).
        engine_operations = engine_operation_requests(
            engine_urls(self.node.try_get_context(SAMPLE_ENGINES_CONTEXT))
        )
        present = {entry.definition.Name for entry in load_catalog()} | {
            op["Name"] for op in engine_operations
        }
        registration = LibraryRegistration(
            self,
            "Registration",
            defaults=platform,
            workflow_api=workflow.service.rest_api,
            workflow_api_url=workflow.url,
            operations=[*library.operation_requests(), *((body, None) for body in engine_operations)],
            stages=library_stages(present),
            workflows=library_workflows(present),
            max_concurrent_workflows=params.max_concurrent_workflows.value_as_string,
            applied_at=applied_at,
        )

        # Analytics (DeployAnalyticsPipeline)
        analytics = AnalyticsPipeline(
            self,
            "Analytics",
            defaults=platform,
            stream=storage.stream,
            bucket=storage.bucket,
            condition=params.analytics_enabled,
        )

        self.dataplane_storage = storage
        self.dataplane_api = dataplane
        self.workflow_api = workflow
        self.steps = steps
        self.scheduler = scheduler
        self.status_events = status_events
        self.machines = machines
        self.tables = tables
        self.operators = library
        self.engines = engines
        self.engine_webhooks = webhooks
        self.registration = registration
        self.analytics = analytics

        CfnOutput(
            self, "WorkflowApiEndpoint", value=workflow.url, description="Workflow API (SigV4, awscurl)"
        )
        CfnOutput(self, "DataplaneApiEndpoint", value=dataplane.url, description="Dataplane API (SigV4)")
        CfnOutput(
            self,
            "EngineWebhookEndpoint",
            value=webhooks.url,
            description="Base of the stream and batch engines' webhook URLs (per-task secret, no SigV4)",
        )
        CfnOutput(self, "DataplaneBucket", value=storage.bucket.bucket_name, description="Media and results")
        CfnOutput(
            self, "OperatorSdkLayerArn", value=self.layer.layer_version_arn, description="Operator SDK layer"
        )
        CfnOutput(self, "DataplaneStreamArn", value=storage.stream.stream_arn, description="Metadata events")
        for output_id, value, description in (
            ("DashboardsUrl", analytics.dashboards_url, "OpenSearch Dashboards (Cognito sign-in)"),
            (
                "DashboardsUserPoolId",
                analytics.dashboards.user_pool.user_pool_id,
                "Create Dashboards users here",
            ),
        ):
            output = CfnOutput(self, output_id, value=value, description=description)
            output.condition = params.analytics_enabled
