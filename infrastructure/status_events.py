"""Step Functions status changes of this platform's machines -> the handler that ends their records."""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from constructs import Construct

from api.workflow.executions.environment import WORKFLOW_EXECUTION_TABLE
from infrastructure.python_function import FunctionDefaults, PythonFunction

HANDLER = "api.workflow.status_events.handler.lambda_handler"
ENDING_STATUSES = ["FAILED", "TIMED_OUT", "ABORTED"]


class StatusEvents(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        execution_table_name: str,
        state_machine_arn_prefix: str,
        handler: str = HANDLER,
    ) -> None:
        super().__init__(scope, construct_id)
        made = PythonFunction(
            self,
            "Handler",
            handler=handler,
            defaults=defaults,
            environment={WORKFLOW_EXECUTION_TABLE: execution_table_name},
            service_name="workflow-status-events",
            description="Medialens: ends the records of executions Step Functions stopped",
        )
        self.function = made.function
        # MIE's stack filter was dead code: here the rule itself matches only our machines.
        self.rule = events.Rule(
            self,
            "Rule",
            description="Medialens: this platform's executions that failed, timed out or aborted",
            event_pattern=events.EventPattern(
                source=["aws.states"],
                detail_type=["Step Functions Execution Status Change"],
                detail={
                    "status": ENDING_STATUSES,
                    "stateMachineArn": events.Match.prefix(state_machine_arn_prefix),
                },
            ),
            targets=[targets.LambdaFunction(self.function, retry_attempts=8)],
        )
