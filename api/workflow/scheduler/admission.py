"""Admitting one queued execution: take a slot, mark it Started, start its machine.

Order matters. The record becomes Started, in the same transaction that takes its slot, *before*
StartExecution, so a machine that finishes at once always finds it Started (and releases the slot
it holds). A redelivered message for a Started execution only repeats the idempotent start
(execution name = execution Id). Whatever ends the attempt without a start gives the slot back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from enum import Enum
from typing import Any

from botocore.exceptions import ClientError

from api.workflow.executions.lifecycle import ExecutionLifecycle, StartOutcome
from api.workflow.executions.schema import ExecutionStatus
from api.workflow.generator import contract as c
from api.workflow.services.executions import execution_arn

logger = logging.getLogger(__name__)

# Step Functions errors worth another attempt later; any other refusal fails the execution.
RETRYABLE = {"ThrottlingException", "ServiceUnavailable", "InternalServerError", "ServiceException"}


class Outcome(Enum):
    STARTED = "started"  # running: delete the message
    DROP = "drop"  # nothing to start (cancelled, ended, unknown): delete the message
    NO_SLOT = "no-slot"  # all slots taken: keep the message
    RETRY = "retry"  # start failed transiently: keep the message


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class Admission:
    def __init__(
        self,
        lifecycle: ExecutionLifecycle,
        stepfunctions: Any,
        max_concurrent: Callable[[], int],
        settings: dict[str, int] | None = None,
    ) -> None:
        self._lifecycle = lifecycle
        self._store = lifecycle.store
        self._sfn = stepfunctions
        self._max = max_concurrent
        self._settings = settings or {}

    def admit(self, execution_id: str) -> Outcome:
        record = self._store.get(execution_id)
        if record is None:
            logger.warning("queued execution %s has no record; dropped", execution_id)
            return Outcome.DROP
        status = record["Status"]
        if status == ExecutionStatus.STARTED:
            return self._start(record)  # a redelivery after a crash: the start is idempotent
        if status != ExecutionStatus.QUEUED:
            return Outcome.DROP
        # Read on every admission, so a change of MaxConcurrentWorkflows applies at once.
        started = self._lifecycle.start(execution_id, self._max())
        if started is StartOutcome.NO_SLOT:
            return Outcome.NO_SLOT
        if started is StartOutcome.NOT_QUEUED:
            return Outcome.DROP  # cancelled meanwhile
        return self._start(record)

    def machine_input(self, record: dict[str, Any]) -> str:
        # Deterministic, so a repeated StartExecution is recognised as the same request.
        return json.dumps(
            {
                c.EXECUTION_ID: record["Id"],
                c.ASSET_ID: record["AssetId"],
                c.WORKFLOW: record["Workflow"],
                c.INPUT: record["Input"],
                c.CONFIGURATION: record["Configuration"],
                c.SETTINGS: self._settings,
            },
            sort_keys=True,
        )

    def _start(self, record: dict[str, Any]) -> Outcome:
        execution_id = record["Id"]
        try:
            started = self._sfn.start_execution(
                stateMachineArn=record["StateMachineArn"], name=execution_id, input=self.machine_input(record)
            )
            arn = str(started["executionArn"])
        except ClientError as exc:
            code = _code(exc)
            if code == "ExecutionAlreadyExists":
                arn = execution_arn(record["StateMachineArn"], execution_id)
            elif code in RETRYABLE:
                self._lifecycle.requeue(execution_id)
                return Outcome.RETRY
            else:
                self._lifecycle.finish(execution_id, ExecutionStatus.ERROR, f"could not start: {exc}")
                return Outcome.DROP
        after = self._store.set_execution_arn(execution_id, arn)
        if after["Status"] == ExecutionStatus.CANCELLED:
            # Cancelled between our Started and the start: stop what we just started.
            self._sfn.stop_execution(executionArn=arn, error="Cancelled", cause="cancelled by request")
        return Outcome.STARTED
