"""Starting and ending an execution: the guarded transition and its slot in one transaction.

An execution takes a slot in the same DynamoDB transaction that moves it Queued -> Started, and
gives it back in the one that moves it out of Started, so the slot count always equals the number
of Started records (the reconciler relies on this). Several handlers may try to end the same
execution (fail-workflow inside the machine, the status change handler after it, a cancel from the
API): only the one whose conditional write moves the record releases the slot, and only when it was
Started (a Queued execution holds none); the others change nothing.
"""

from __future__ import annotations

import json
import logging
from enum import Enum
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from api.workflow.executions.schema import ACTIVE, ExecutionStatus
from api.workflow.executions.slots import ConcurrencySlots
from api.workflow.executions.store import ExecutionStore

logger = logging.getLogger(__name__)

NUDGE_EVENT = {"source": "medialens.workflow", "detail-type": "Scheduler nudge"}
_PASSED = "None"  # a transaction item's cancellation code when its own condition held
_ATTEMPTS = 3  # an execution changes state a bounded number of times; each retry sees a newer one


class StartOutcome(Enum):
    STARTED = "started"
    NO_SLOT = "no-slot"
    NOT_QUEUED = "not-queued"  # cancelled, ended, or started by another run


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

    def start(self, execution_id: str, limit: int) -> StartOutcome:
        """Queued -> Started with a slot, if one of `limit` is free."""
        failed = self.store.transact(
            [
                self.slots.take(limit),
                {
                    "Update": self.store.transition_item(
                        execution_id, [ExecutionStatus.QUEUED], ExecutionStatus.STARTED
                    )
                },
            ]
        )
        if failed is None:
            return StartOutcome.STARTED
        return StartOutcome.NOT_QUEUED if failed[1] == "ConditionalCheckFailed" else StartOutcome.NO_SLOT

    def requeue(self, execution_id: str) -> bool:
        """Started -> Queued, giving the slot back (a start that failed for a reason worth retrying)."""
        return self._leave_started(execution_id, ExecutionStatus.QUEUED, None)

    def finish(self, execution_id: str, status: ExecutionStatus, reason: str | None = None) -> bool:
        """True when this call ended the execution; False when it had already ended."""
        for _ in range(_ATTEMPTS):
            if self._leave_started(execution_id, status, reason):
                return True
            if self.store.finish_queued(execution_id, status, reason):
                return True
            record = self.store.get(execution_id)
            if record is None or record["Status"] not in ACTIVE:
                return False
        return False

    def _leave_started(self, execution_id: str, status: ExecutionStatus, reason: str | None) -> bool:
        extra = {"Error": reason} if reason else None
        leave = self.store.transition_item(execution_id, [ExecutionStatus.STARTED], status, extra)
        failed = self.store.transact([{"Update": leave}, self.slots.free()])
        if failed is not None:
            if failed[0] != _PASSED:
                return False  # not Started
            # Started, but the count is already zero: it was off; end the record alone.
            logger.warning("execution %s held no counted slot; the reconciler recounts", execution_id)
            if self.store.transition(execution_id, [ExecutionStatus.STARTED], status, extra) is None:
                return False
        self._nudge()
        return True
