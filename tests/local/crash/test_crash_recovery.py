"""`kill -9` of `medialens up` in the middle of a batch: nothing confirmed is lost, nothing runs twice.

The real command runs in a subprocess. While writers store S3 objects and dataplane results and a
submitter starts executions (cap: 2 at a time, each one an async operator that polls once), the
platform is killed with SIGKILL, then started again. After the restart, every write that was
answered 2xx is there, every execution seen final before the kill is unchanged, every one seen
Started was not run again, all of them end (bounded wait), and no more than the cap ever ran.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from api.search.sqlite_index import SqliteSearchIndex
from medialens.execution_watch import INTERRUPTED_REASON
from medialens.state import StateDir
from tests.local.cli.cli_process import start
from tests.local.crash.clients import Clients, children, kill_left_behind, kill_platform
from tests.support.waiting import wait_until

# Two starts of the real command: on a busy machine each can take most of a minute.
pytestmark = [pytest.mark.local, pytest.mark.timeout(300)]

CAP = 2
EXECUTIONS = 6
WRITES_PER_WRITER = 400  # bounds each writer's loop; the kill usually comes first
WRITE_PAUSE_SECONDS = 0.05  # keeps the writers from starving the executions on a busy machine
FIRST_END_SECONDS = 40.0  # bound on waiting for the first execution to end before the kill
FINAL = {"Complete", "Error", "Cancelled"}
SEARCH_WORD = "crashproof"


@dataclass
class Batch:
    """What the clients were told during the run: only answered writes count."""

    stop: threading.Event = field(default_factory=threading.Event)
    objects: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    executions: list[str] = field(default_factory=list)
    most_started: int = 0

    def run(self, name: str, action: Callable[[int], str | None], confirmed: list[str]) -> threading.Thread:
        def loop() -> None:
            for n in range(WRITES_PER_WRITER):
                if self.stop.is_set():
                    return
                try:
                    written = action(n)
                except Exception:  # refused, or the platform died mid-request: not confirmed
                    continue
                if written is not None:
                    confirmed.append(written)
                time.sleep(WRITE_PAUSE_SECONDS)

        thread = threading.Thread(target=loop, name=name, daemon=True)
        thread.start()
        return thread


def _started(clients: Clients) -> list[dict[str, Any]]:
    return list(clients.workflow.call("GET", "/workflow/execution/status/Started", query={"limit": "100"}))


def _prepare(clients: Clients) -> tuple[str, dict[str, Any], str]:
    clients.workflow.set_max_concurrent_workflows(CAP)
    name = f"crash{uuid.uuid4().hex[:8]}"
    clients.workflow.upsert("stage", {"Name": f"{name}Stage", "Operations": ["TestAsyncOk"]})
    clients.workflow.upsert(
        "", {"Name": name, "StartAt": f"{name}Stage", "Stages": {f"{name}Stage": {"End": True}}}
    )
    clients.s3.put_object(Bucket=clients.bucket, Key="upload/crash.mp4", Body=b"not really a video")
    media = {"Video": {"S3Bucket": clients.bucket, "S3Key": "upload/crash.mp4"}}
    created = clients.dataplane.call(
        "POST", "/create", {"Input": {"S3Bucket": clients.bucket, "S3Key": "upload/crash.mp4"}}
    )
    return name, media, str(created["AssetId"])


def _start_batch(
    clients: Clients, workflow: str, media: dict[str, Any], asset_id: str
) -> tuple[Batch, list[threading.Thread]]:
    batch = Batch()

    def put_object(n: int) -> str:
        key = f"crash/object-{n:04d}"
        clients.s3.put_object(Bucket=clients.bucket, Key=key, Body=key.encode())
        return key

    def store_result(n: int) -> str:
        operator = f"Crash{n:04d}"
        clients.dataplane.call(
            "POST",
            f"/metadata/{asset_id}",
            {"OperatorName": operator, "WorkflowId": "wf", "Results": {"n": n, "text": SEARCH_WORD}},
        )
        return operator

    def submit(n: int) -> str | None:
        if n >= EXECUTIONS:
            time.sleep(0.1)
            return None
        return str(clients.workflow.start(workflow, media)["Id"])

    def watch_cap(_: int) -> None:
        batch.most_started = max(batch.most_started, len(_started(clients)))
        time.sleep(0.1)

    threads = [
        batch.run("objects", put_object, batch.objects),
        batch.run("results", store_result, batch.results),
        batch.run("executions", submit, batch.executions),
        batch.run("cap", watch_cap, []),
    ]
    return batch, threads


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


def _ended(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_sigkill_in_a_batch_loses_no_confirmed_write_and_runs_nothing_twice(tmp_path: Path) -> None:
    home = tmp_path / "state"
    left_behind: list[int] = []
    process = start(home)
    try:
        clients = Clients.connect(home)
        workflow, media, asset_id = _prepare(clients)
        batch, threads = _start_batch(clients, workflow, media, asset_id)
        # Kill once one execution has ended and others are still to run.
        seen: dict[str, dict[str, Any]] = {}

        def one_ended() -> bool:
            seen.clear()
            seen.update({item: clients.workflow.execution(item) for item in list(batch.executions)})
            return any(view["Status"] == "Complete" for view in seen.values())

        wait_until(one_ended, timeout=FIRST_END_SECONDS, interval=0.2)
        time.sleep(0.5)  # what was seen is journaled by now; the writers keep writing up to the kill
        left_behind = children(process.pid)  # a real crash leaves them to end on their own
        dynamodb = [pid for pid in left_behind if b"service_process" in _cmdline(pid)]
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        assert len(dynamodb) == 1
        # The kernel ends the DynamoDB process with its parent: it must not append to the journal
        # the restarted platform's DynamoDB process takes over.
        wait_until(lambda: _ended(dynamodb[0]), timeout=10, interval=0.1)
        batch.stop.set()
        for thread in threads:
            thread.join(timeout=40)
        assert any(view["Status"] != "Complete" for view in seen.values()), "all ended before the kill"
        assert batch.objects and batch.results

        restarted_at = datetime.now(UTC)
        process = start(home)
        clients = Clients.connect(home)
        for key in batch.objects:
            assert clients.s3.get_object(Bucket=clients.bucket, Key=key)["Body"].read() == key.encode()
        for operator in batch.results:
            stored = clients.dataplane.call("GET", f"/metadata/{asset_id}/{operator}")
            assert stored["results"] == {"n": int(operator.removeprefix("Crash")), "text": SEARCH_WORD}
        # Results whose stream records died with the process reach the search index all the same.
        index = SqliteSearchIndex(StateDir(home).search_index)

        def all_indexed() -> bool:
            hits = index.search(SEARCH_WORD, asset_id=asset_id, limit=10 * WRITES_PER_WRITER)
            return set(batch.results) <= {hit.operator for hit in hits}

        wait_until(all_indexed, timeout=30, interval=0.5)

        def all_final() -> bool:
            batch.most_started = max(batch.most_started, len(_started(clients)))
            return all(clients.workflow.execution(item)["Status"] in FINAL for item in batch.executions)

        wait_until(all_final, timeout=40, interval=0.3)
        assert batch.most_started <= CAP
        for item in batch.executions:
            after = clients.workflow.execution(item)
            before = seen.get(item)
            if before is not None and before["Status"] in FINAL:
                assert after == before  # not run again
            elif before is not None and before["Status"] == "Started":
                # Ended before the kill, or by the recovery; never run again after the restart.
                assert after["Status"] in ("Complete", "Error"), after
                if after["Status"] == "Error":
                    assert INTERRUPTED_REASON in str(after), after
                assert datetime.fromisoformat(after["Modified"]) <= restarted_at or after["Status"] == "Error"
        assert len(_started(clients)) == 0
    finally:
        kill_platform(home, process)  # a second crash: the state goes with tmp_path
        kill_left_behind(left_behind)
