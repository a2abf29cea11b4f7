"""`medialens down` while a client writes: 503 with Retry-After during the stop, no accepted write lost."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests

from tests.local.cli.cli_process import cli, start
from tests.local.crash.clients import Clients, kill_platform
from tests.support.waiting import wait_until

# Two starts of the real command: on a busy machine each can take most of a minute.
pytestmark = [pytest.mark.local, pytest.mark.timeout(300)]

MAX_WRITES = 2000  # bounds the writer; the stop ends it long before


def test_a_stopping_platform_refuses_writes_with_503_and_keeps_every_accepted_one(tmp_path: Path) -> None:
    home = tmp_path / "state"
    process = start(home)
    try:
        clients = Clients.connect(home)
        clients.s3.put_object(Bucket=clients.bucket, Key="upload/stop.mp4", Body=b"media")
        source = {"S3Bucket": clients.bucket, "S3Key": "upload/stop.mp4"}
        asset_id = clients.dataplane.call("POST", "/create", {"Input": source})["AssetId"]
        accepted: list[str] = []
        refused: list[requests.Response] = []

        def write() -> None:
            for n in range(MAX_WRITES):
                operator = f"Stop{n:04d}"
                body = {"OperatorName": operator, "WorkflowId": "wf", "Results": {"n": n}}
                try:
                    answer = clients.post_dataplane(f"/metadata/{asset_id}", body)
                except requests.ConnectionError:
                    return  # the API has gone
                if answer.ok:
                    accepted.append(operator)
                elif answer.status_code == 503:
                    refused.append(answer)
                time.sleep(0.02)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        wait_until(lambda: len(accepted) >= 5, timeout=30)
        assert cli(home, "down").returncode == 0
        writer.join(timeout=60)
        assert refused, "no write was refused while the platform stopped"
        assert all(answer.headers["Retry-After"].isdigit() for answer in refused)
        assert "stopping" in refused[0].json()["message"]

        process = start(home)
        clients = Clients.connect(home)
        for operator in accepted:
            stored = clients.dataplane.call("GET", f"/metadata/{asset_id}/{operator}")
            assert stored["results"] == {"n": int(operator.removeprefix("Stop"))}
    finally:
        kill_platform(home, process)  # the clean stop was the test; the state goes with tmp_path
