"""The workflow API: `api.workflow.handler.lambda_handler` behind an IAM-authorised REST API."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct
from medialens_helper import settings

from api.workflow import config as workflow_config
from api.workflow.executions.environment import EXECUTION_QUEUE_URL
from infrastructure.api_service import ApiService
from infrastructure.python_function import FunctionDefaults

HANDLER = "api.workflow.handler.lambda_handler"


class WorkflowApi(Construct):
    """Configured like `medialens.deployment` configures it locally, plus the execution routes' needs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        definitions_table_name: str,
        execution_table_name: str,
        execution_queue_url: str,
        cursor_secret: secretsmanager.ISecret,
        state_machine_role_arn: str,
        state_machine_prefix: str,
        dataplane_api_url: str,
        step_function_arns: Mapping[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.service = ApiService(
            self,
            "Service",
            handler=HANDLER,
            defaults=defaults,
            environment={
                workflow_config.WORKFLOW_DEFINITIONS_TABLE: definitions_table_name,
                workflow_config.WORKFLOW_EXECUTION_TABLE: execution_table_name,
                # The ARN, not the key: the key never appears in the function's configuration.
                workflow_config.CURSOR_SIGNING_SECRET_ARN: cursor_secret.secret_arn,
                workflow_config.STEP_FUNCTIONS_ROLE_ARN: state_machine_role_arn,
                workflow_config.STATE_MACHINE_PREFIX: state_machine_prefix,
                settings.DATAPLANE_API_ENDPOINT: dataplane_api_url,
                EXECUTION_QUEUE_URL: execution_queue_url,
                **step_function_arns,
            },
            service_name="workflow-api",
            description="Medialens workflow API",
        )
        self.function = self.service.function
        self.url = self.service.url
        self.function.add_environment(settings.WORKFLOW_API_ENDPOINT, self.url)
        cursor_secret.grant_read(self.function)
