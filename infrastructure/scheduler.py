"""The scheduler: an SQS queue of executions waiting for a slot, drained by a Lambda.

The Lambda drains the queue itself when nudged (an asynchronous invoke after a submit or a freed
slot) and once a minute. The queue deliberately has no event source: Lambda's poller would hide a
message that found no slot for the whole visibility timeout, so a freed slot would sit idle.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from api.workflow.executions.environment import (
    EXECUTION_QUEUE_URL,
    WORKFLOW_DEFINITIONS_TABLE,
    WORKFLOW_EXECUTION_TABLE,
)
from infrastructure.python_function import FunctionDefaults, PythonFunction

HANDLER = "api.workflow.scheduler.handler.lambda_handler"
FUNCTION_TIMEOUT = Duration.seconds(60)
TICK = Duration.minutes(1)
QUEUE_RETENTION = Duration.days(14)  # SQS's maximum: the longest an execution can wait queued


class WorkflowScheduler(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        definitions_table_name: str,
        execution_table_name: str,
        handler: str = HANDLER,
    ) -> None:
        super().__init__(scope, construct_id)
        # No dead-letter queue: a message is received again each time it finds no slot, so any
        # receive limit would move executions that are merely waiting; malformed ones are dropped.
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            # A run holds a message only while admitting it; then deletes it or makes it visible again.
            visibility_timeout=FUNCTION_TIMEOUT,
            retention_period=QUEUE_RETENTION,
        )
        made = PythonFunction(
            self,
            "Scheduler",
            handler=handler,
            defaults=defaults,
            environment={
                WORKFLOW_EXECUTION_TABLE: execution_table_name,
                WORKFLOW_DEFINITIONS_TABLE: definitions_table_name,
                EXECUTION_QUEUE_URL: self.queue.queue_url,
            },
            service_name="workflow-scheduler",
            description="Medialens scheduler: admits queued executions while slots are free",
            timeout=FUNCTION_TIMEOUT,
        )
        self.function = made.function
        self.rule = events.Rule(
            self,
            "Tick",
            description="Medialens scheduler: drain the execution queue every minute",
            schedule=events.Schedule.rate(TICK),
            targets=[targets.LambdaFunction(self.function)],
        )
        # Receive, make visible again (ChangeMessageVisibility, whose permission its batch form
        # uses too) and delete: the drain loop's calls.
        self.queue.grant_consume_messages(self.function)
