"""Reconciling the concurrency slots with what really runs, whatever made them disagree.

Run by the scheduler's periodic rule (every minute on AWS, every 2 s on the local runtime) and by
the local runtime's recovery at start:

1. Every `Started` execution whose Step Functions execution is no longer RUNNING ends (`Error`,
   or `Cancelled` if it was aborted) with the reason, freeing its slot: the status-change event
   that should have ended it was lost, or the step that records the end failed. One whose machine
   execution does not exist ends after `NEVER_STARTED_GRACE_SECONDS` (a start interrupted between
   the record's `Started` and `StartExecution` is retried by its queue message well before that).
2. The slot count is set to the number of `Started` records when they differ. Slots change only
   in the transactions that move an execution into or out of `Started` (`ExecutionLifecycle`), and
   the count's `Version` changes with each, so the recount is written only if no transaction ran
   between reading the count and counting the records (`ConcurrencySlots.recount`).

IAM: states:DescribeExecution on the platform's executions; dynamodb Scan/Query/UpdateItem.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from api.workflow.executions.lifecycle import ExecutionLifecycle
from api.workflow.executions.schema import ExecutionStatus
from api.workflow.services.executions import execution_arn
from api.workflow.status_events.handler import ENDINGS, reason_for

logger = logging.getLogger(__name__)

NEVER_STARTED_GRACE_SECONDS = 600.0
NEVER_STARTED_REASON = "its state machine execution never started"
SUCCEEDED_UNRECORDED_REASON = "its state machine execution succeeded but the end was not recorded"
_PAGE = 100


class Reconciler:
    def __init__(
        self,
        lifecycle: ExecutionLifecycle,
        stepfunctions: Any,
        *,
        clock: Callable[[], float] = time.time,
        grace_seconds: float = NEVER_STARTED_GRACE_SECONDS,
    ) -> None:
        self._lifecycle = lifecycle
        self._store = lifecycle.store
        self._slots = lifecycle.slots
        self._sfn = stepfunctions
        self._clock = clock
        self._grace = grace_seconds

    def run(self) -> dict[str, int]:
        """End what no longer runs, then recount; {"ended": n, "recounted": change of the count}."""
        ended = sum(self._end_if_not_running(record) for record in list(self.started()))
        return {"ended": ended, "recounted": self.recount()}

    def started(self) -> Iterator[dict[str, Any]]:
        after: str | None = None
        while True:
            records, after = self._store.by_status(ExecutionStatus.STARTED.value, _PAGE, after)
            yield from records
            if after is None:
                return

    def _end_if_not_running(self, record: dict[str, Any]) -> bool:
        arn = record.get("ExecutionArn") or execution_arn(record["StateMachineArn"], record["Id"])
        try:
            described = self._sfn.describe_execution(executionArn=arn)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ExecutionDoesNotExist":
                raise
            if self._age_seconds(record) < self._grace:
                return False
            return self._end(record["Id"], ExecutionStatus.ERROR, NEVER_STARTED_REASON)
        status = described["status"]
        if status in ENDINGS:
            return self._end(record["Id"], ENDINGS[status][0], reason_for({**described, "status": status}))
        if status == "SUCCEEDED":
            # The machine's last step records Complete before the machine ends: still Started means
            # that step failed to record it.
            return self._end(record["Id"], ExecutionStatus.ERROR, SUCCEEDED_UNRECORDED_REASON)
        return False

    def _end(self, execution_id: str, status: ExecutionStatus, reason: str) -> bool:
        ended = self._lifecycle.finish(execution_id, status, reason)
        if ended:
            logger.warning("reconciler ended execution %s (%s): %s", execution_id, status.value, reason)
        return ended

    def _age_seconds(self, record: dict[str, Any]) -> float:
        modified = datetime.fromisoformat(str(record.get("Modified") or record["Created"]))
        return self._clock() - modified.timestamp()

    def recount(self) -> int:
        """Set the slot count to the number of Started records if no transaction moved it meanwhile."""
        running, version = self._slots.read()
        if self._store.count_by_status(ExecutionStatus.STARTED.value, consistent=False) == running:
            return 0  # the index agrees: nothing to repair (the index may lag; the next run looks again)
        started = self._store.count_by_status(ExecutionStatus.STARTED.value, consistent=True)
        if started == running or not self._slots.recount(started, version):
            return 0
        logger.warning("slot count was %d with %d executions Started; set to %d", running, started, started)
        return started - running


def is_scheduled_run(event: Any) -> bool:
    """True for the periodic rule's event (reconcile then), False for a nudge or a queue batch."""
    return isinstance(event, dict) and event.get("detail-type") == "Scheduled Event"
