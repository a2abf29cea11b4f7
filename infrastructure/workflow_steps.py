"""The step Lambdas every generated state machine calls (prepare media, filter, failed, complete, fail)."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from api.workflow.executions.environment import WORKFLOW_EXECUTION_TABLE
from api.workflow.generator.arns import ENVIRONMENT_VARIABLES
from infrastructure.python_function import FunctionDefaults, PythonFunction

HANDLER_MODULE = "api.workflow.steps.handlers"
# Step -> why it needs the executions table (None: pure function of its input).
STEPS: Mapping[str, bool] = {
    "operator_filter": False,
    "operator_failed": False,
    "complete_stage": True,
    "complete_workflow": True,
    "fail_workflow": True,
    "prepare_media": False,
}
# Copying a large upload into its asset (server-side, multipart) may take minutes.
TIMEOUT_SECONDS: Mapping[str, int] = {"prepare_media": 900}


class WorkflowSteps(Construct):
    """`functions[step]` for each step; `arn_environment` is what the generator reads to find them."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        execution_table_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.functions: dict[str, lambda_.Function] = {}
        for step, needs_table in STEPS.items():
            made = PythonFunction(
                self,
                "".join(part.title() for part in step.split("_")),
                handler=f"{HANDLER_MODULE}.{step}",
                defaults=defaults,
                environment={WORKFLOW_EXECUTION_TABLE: execution_table_name} if needs_table else {},
                service_name=f"workflow-step-{step.replace('_', '-')}",
                description=f"Medialens workflow step: {step.replace('_', ' ')}",
                timeout=Duration.seconds(TIMEOUT_SECONDS.get(step, 60)),
            )
            self.functions[step] = made.function
        self.arn_environment: dict[str, str] = {
            variable: self.functions[step].function_arn for step, variable in ENVIRONMENT_VARIABLES.items()
        }

    @property
    def table_writers(self) -> list[lambda_.Function]:
        return [self.functions[step] for step, needs_table in STEPS.items() if needs_table]
