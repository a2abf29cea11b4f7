"""The local runtime's stand-ins for what AWS does around executions on its own.

- Step Functions publishes an "Execution Status Change" event when an execution ends; moto does
  not. `ExecutionWatcher` looks at the executions this platform has started and, for each whose
  state machine failed, timed out or was aborted, puts that event on the default bus, where the
  platform's rule (the same pattern as on AWS) routes it to the status-events handler.
  It also writes one line to the platform log for each execution it saw queued or running once it
  ends: its id, final status and reason (the full story is in the execution record and its logs).
- moto keeps no state machine executions or queue messages across a restart. `recover_executions`
  ends the executions a stop or crash interrupted, with that reason, queues again those still
  waiting, and recounts the concurrency slots from the records.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from api.workflow.executions import ConcurrencySlots, ExecutionLifecycle, ExecutionStatus, ExecutionStore
from api.workflow.executions.lifecycle import SchedulerNudge
from api.workflow.scheduler.reconcile import Reconciler
from api.workflow.services.executions import execution_arn
from api.workflow.status_events.handler import ENDINGS
from medialens.runtime.event_sources import PollingThread
from medialens.runtime.moto_signals import EXECUTION_ENDED

LOG = logging.getLogger(__name__)

STATUS_CHANGE_SOURCE = "aws.states"
STATUS_CHANGE_DETAIL_TYPE = "Step Functions Execution Status Change"
INTERRUPTED_REASON = "the local platform stopped while this execution ran"
_PAGE = 100
_REASON_CHARS = 300  # the platform log gets one short line per ending, never a dump


def status_change_pattern(state_machine_arn_prefix: str) -> dict[str, Any]:
    """The rule's event pattern: endings of this platform's state machines only."""
    return {
        "source": [STATUS_CHANGE_SOURCE],
        "detail-type": [STATUS_CHANGE_DETAIL_TYPE],
        "detail": {
            "status": sorted(ENDINGS),
            "stateMachineArn": [{"prefix": state_machine_arn_prefix}],
        },
    }


def status_change_detail(described: dict[str, Any]) -> dict[str, Any]:
    """The `detail` of Step Functions' event, from a DescribeExecution answer."""
    detail: dict[str, Any] = {
        "executionArn": described["executionArn"],
        "stateMachineArn": described["stateMachineArn"],
        "name": described["name"],
        "status": described["status"],
        "startDate": _epoch_millis(described.get("startDate")),
        "stopDate": _epoch_millis(described.get("stopDate")),
    }
    for key in ("error", "cause"):
        if described.get(key):
            detail[key] = described[key]
    return detail


def _epoch_millis(value: Any) -> int | None:
    return int(value.timestamp() * 1000) if isinstance(value, datetime) else None


def _records(store: ExecutionStore, status: ExecutionStatus) -> Iterator[dict[str, Any]]:
    after: str | None = None
    while True:
        records, after = store.by_status(status.value, _PAGE, after)
        yield from records
        if after is None:
            return


class ExecutionWatcher(PollingThread):
    """Publishes the status-change event of each Started execution whose state machine has ended.

    Woken when moto ends an execution, it handles that execution alone: one record read and one
    DescribeExecution, whatever the number running (a scan of every running execution on each
    ending made a burst of N executions cost N^2 requests). Every `poll_interval` seconds it scans
    all Queued and Started records as a safety net, for an ending whose signal was missed.
    """

    wakes_on = EXECUTION_ENDED
    RECHECK_SECONDS = 0.5  # while an ended execution's record is not final yet

    def __init__(self, session: Any, execution_table: str, *, poll_interval: float = 5.0) -> None:
        super().__init__("execution-watcher", poll_interval)
        self._store = ExecutionStore(session.client("dynamodb"), execution_table)
        self._sfn = session.client("stepfunctions")
        self._events = session.client("events")
        self._published: set[str] = set()
        self._watching: set[str] = set()  # queued or started at the last scan
        self._pending: set[str] = set()  # ended in Step Functions, record not final yet
        self._logged: set[str] = set()  # endings logged since the last scan
        self._ended: set[str] = set()  # names (= execution ids) of machine executions moto ended
        self._ended_lock = threading.Lock()
        self._next_scan = 0.0

    def _wanted(self, argument: str) -> bool:
        # An execution can start and end between two polls: its machine's end names it.
        with self._ended_lock:
            self._ended.add(argument.rsplit(":", 1)[-1])
        return True

    def _sleep_seconds(self) -> float:
        # An ended execution whose record is not final yet (its status-change event is on its
        # way to the handler) is looked at again soon, so its log line is prompt.
        return self.RECHECK_SECONDS if self._pending else self._poll_interval

    def _poll_once(self) -> bool:
        with self._ended_lock:
            ended, self._ended = self._ended, set()
        now = time.monotonic()
        if now < self._next_scan:
            self._watch_ended(ended)
            return False
        self._next_scan = now + self._poll_interval
        # Queued first: one admitted between the two reads is in both, never in neither.
        queued = list(_records(self._store, ExecutionStatus.QUEUED))
        started = list(_records(self._store, ExecutionStatus.STARTED))
        self._log_endings({record["Id"] for record in queued + started}, ended)
        # Forget what has left Started: the set stays as small as the running executions.
        self._published &= {record["Id"] for record in started}
        for record in started:
            if record["Id"] not in self._published and self._publish_if_ended(record):
                self._published.add(record["Id"])
        return False

    def _watch_ended(self, ended: set[str]) -> None:
        """Between scans: publish for the executions moto named, log those whose record is final."""
        for execution_id in sorted((ended | self._pending) - self._logged):
            record = self._store.get(execution_id)
            if record is None:
                self._pending.discard(execution_id)  # not one of this platform's executions
                continue
            if record["Status"] in (ExecutionStatus.QUEUED, ExecutionStatus.STARTED):
                if execution_id not in self._published and self._publish_if_ended(record):
                    self._published.add(execution_id)
                self._pending.add(execution_id)
                continue
            self._pending.discard(execution_id)
            self._logged.add(execution_id)
            self._log_ending(record)

    def _log_endings(self, waiting_or_running: set[str], ended: set[str]) -> None:
        for execution_id in sorted(
            (self._watching | self._pending | ended) - waiting_or_running - self._logged
        ):
            record = self._store.get(execution_id)
            if record is None or record["Status"] in (ExecutionStatus.QUEUED, ExecutionStatus.STARTED):
                continue
            self._log_ending(record)
        self._watching = waiting_or_running
        self._pending &= waiting_or_running
        self._logged = set()

    @staticmethod
    def _log_ending(record: dict[str, Any]) -> None:
        reason = " ".join(str(record.get("Error") or "").split())[:_REASON_CHARS]
        LOG.info("execution %s ended %s%s", record["Id"], record["Status"], f": {reason}" if reason else "")

    def _publish_if_ended(self, record: dict[str, Any]) -> bool:
        arn = record.get("ExecutionArn") or execution_arn(record["StateMachineArn"], record["Id"])
        try:
            described = self._sfn.describe_execution(executionArn=arn)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
                return False  # admitted, not started yet
            raise
        if described["status"] not in ENDINGS:
            return False
        entry = {
            "Source": STATUS_CHANGE_SOURCE,
            "DetailType": STATUS_CHANGE_DETAIL_TYPE,
            "Detail": json.dumps(status_change_detail(described)),
            "Resources": [arn],
            "Time": datetime.now(UTC),
        }
        failed = self._events.put_events(Entries=[entry]).get("FailedEntryCount", 0)
        if failed:
            LOG.warning("could not publish the status change of %s", record["Id"])
            return False
        LOG.info("execution %s ended in Step Functions: %s", record["Id"], described["status"])
        return True


def recover_executions(session: Any, execution_table: str, queue_url: str) -> dict[str, int]:
    """After a restart: end the interrupted executions (freeing their slots), queue the waiting ones."""
    dynamodb = session.client("dynamodb")
    store = ExecutionStore(dynamodb, execution_table)
    # No nudge: the scheduler's periodic run admits what is queued once the platform is up.
    lifecycle = ExecutionLifecycle(
        store, ConcurrencySlots(dynamodb, execution_table), SchedulerNudge(None, None)
    )
    sfn, sqs = session.client("stepfunctions"), session.client("sqs")
    counts = {"ended": 0, "queued": 0}
    for record in list(_records(store, ExecutionStatus.STARTED)):
        if _machine_execution_exists(sfn, record):
            continue
        if lifecycle.finish(record["Id"], ExecutionStatus.ERROR, INTERRUPTED_REASON):
            counts["ended"] += 1
    for record in list(_records(store, ExecutionStatus.QUEUED)):
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"ExecutionId": record["Id"]}))
        counts["queued"] += 1
    # Nothing runs yet, so the recount is exact: a count the crash left off by any amount is repaired.
    counts["recounted"] = Reconciler(lifecycle, sfn).recount()
    return counts


def _machine_execution_exists(sfn: Any, record: dict[str, Any]) -> bool:
    arn = record.get("ExecutionArn") or execution_arn(record["StateMachineArn"], record["Id"])
    try:
        sfn.describe_execution(executionArn=arn)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
            return False
        raise
    return True
