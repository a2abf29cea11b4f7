"""Ending an execution: the guarded transition, then the slot and the scheduler, exactly once.

Several handlers may try to end the same execution (fail-workflow inside the machine, the status
change handler after it, a cancel from the API). Only the one whose conditional write moves the
record out of Queued/Started releases the slot, and only when it was Started (a Queued execution
holds none); the others change nothing.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from api.workflow.executions.schema import ExecutionStatus
from api.workflow.executions.slots import ConcurrencySlots
from api.workflow.executions.store import ExecutionStore

logger = logging.getLogger(__name__)

NUDGE_EVENT = {"source": "medialens.workflow", "detail-type": "Scheduler nudge"}


class SchedulerNudge:
    """Asks the scheduler to look at the queue now (a freed slot can admit the next execution)."""

    def __init__(self, lambda_client: Any, scheduler_arn: str | None) -> None:
        self._client = lambda_client
        self._arn = scheduler_arn

    def __call__(self) -> None:
        if not self._arn:
            return
        try:
            self._client.invoke(
                FunctionName=self._arn, InvocationType="Event", Payload=json.dumps(NUDGE_EVENT).encode()
            )
        except (BotoCoreError, ClientError):
            # Not fatal: the scheduler's periodic rule and the queue's own trigger catch up.
            logger.warning("could not nudge the scheduler", exc_info=True)


class ExecutionLifecycle:
    def __init__(self, store: ExecutionStore, slots: ConcurrencySlots, nudge: SchedulerNudge) -> None:
        self.store = store
        self.slots = slots
        self._nudge = nudge

    def finish(self, execution_id: str, status: ExecutionStatus, reason: str | None = None) -> bool:
        """True when this call ended the execution; False when it had already ended."""
        previous = self.store.finish(execution_id, status, reason)
        if previous is None:
            return False
        if previous is ExecutionStatus.STARTED:
            self.slots.release()
            self._nudge()
        return True

    def give_back(self) -> None:
        """Release a slot that was acquired for an execution that did not start."""
        self.slots.release()
        self._nudge()
