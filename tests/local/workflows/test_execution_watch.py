"""The execution watcher's cost per ending: the ended execution alone, whatever else runs.

It used to read every Queued and Started record and describe every running machine each time
moto ended one execution, so a burst of N executions cost it N^2 requests and slowed the burst.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from typing import Any

import pytest

from api.workflow.executions import ExecutionStore
from api.workflow.services.executions import execution_arn
from medialens.execution_watch import ExecutionWatcher
from tests.local.workflows.platform_client import WAIT_SECONDS, RunningPlatform
from tests.support.waiting import wait_until

pytestmark = pytest.mark.local

RUNNING_BESIDE = 3  # within the platform's default MaxConcurrentWorkflows


def _count_calls(watcher: ExecutionWatcher) -> collections.Counter[str]:
    calls: collections.Counter[str] = collections.Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    for client in (watcher._sfn, watcher._events, watcher._store._client):
        client.meta.events.register("before-call", lambda model, **kw: count(model))
    return calls


def _arn(store: ExecutionStore, execution_id: str) -> str:
    record = store.get(execution_id)
    assert record is not None
    return execution_arn(record["StateMachineArn"], execution_id)


def _ended_lines(caplog: pytest.LogCaptureFixture, execution_id: str) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        # This test's watcher, not the platform's own (on its thread), logging the same endings.
        if record.threadName == threading.current_thread().name
        and record.getMessage().startswith(f"execution {execution_id} ended")
        and "ended in Step Functions" not in record.getMessage()  # the publishing, not the ending
    ]


def test_an_ending_costs_the_watcher_requests_for_that_execution_only(
    running: RunningPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    hang = running.workflow([["TestAsyncHang"]])
    beside = [running.api.start(hang, running.upload())["Id"] for _ in range(RUNNING_BESIDE)]
    try:
        _watch_two_endings(running, caplog, beside)
    finally:  # the hanging executions would hold their slots for the package's later tests
        for execution_id in beside:
            if running.api.execution(execution_id)["Status"] in ("Queued", "Started"):
                running.api.call("DELETE", f"/workflow/execution/{execution_id}")
        ended = ("Complete", "Error", "Cancelled")
        wait_until(lambda: all(running.api.execution(i)["Status"] in ended for i in beside), WAIT_SECONDS)


def _watch_two_endings(running: RunningPlatform, caplog: pytest.LogCaptureFixture, beside: list[str]) -> None:
    wait_until(lambda: all(running.api.execution(i)["Status"] == "Started" for i in beside), WAIT_SECONDS)
    aborted = beside[0]
    store = ExecutionStore(running.aws.client("dynamodb"), running.deployment.names.execution_table)
    arn = _arn(store, aborted)
    running.aws.client("stepfunctions").stop_execution(executionArn=arn)
    ended = running.run(running.workflow([["TestSyncRaise"]]))
    assert ended["Status"] == "Error"

    watcher = ExecutionWatcher(running.aws, running.deployment.names.execution_table, poll_interval=600)
    caplog.set_level(logging.INFO, logger="medialens.execution_watch")
    watcher._poll_once()  # the first poll scans; the next 600 s of polls handle signals only
    calls = _count_calls(watcher)
    watcher._wanted(_arn(store, ended["Id"]))
    watcher._wanted(arn)

    deadline = time.monotonic() + WAIT_SECONDS
    while not _ended_lines(caplog, aborted) and time.monotonic() < deadline:
        watcher._poll_once()
        time.sleep(0.2)

    assert _ended_lines(caplog, ended["Id"])[0].startswith(f"execution {ended['Id']} ended Error: ")
    assert _ended_lines(caplog, aborted) == [
        f"execution {aborted} ended Cancelled: the state machine execution aborted"
    ]
    # Neither ending scanned the running executions nor described their machines.
    assert calls["Query"] == 0
    assert calls["DescribeExecution"] <= 1  # the aborted one, if its record was not final yet
    assert calls["PutEvents"] <= 1
    assert calls["GetItem"] >= 2
