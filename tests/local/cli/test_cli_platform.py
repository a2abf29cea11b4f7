"""The `medialens` command as a user runs it: up, env, awscurl and aws s3 against it, down.

These start the real command in a subprocess with its own state folder, so they cover the pid
file, the printed endpoints, signal handling and the snapshot kept across a restart.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests
from medialens_helper import HttpTransport
from medialens_helper.workflow_client import WorkflowClient

from tests.local.cli.cli_process import BIN, awscurl, cli, exported, start, stop
from tests.support.waiting import wait_until

pytestmark = pytest.mark.local


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture(scope="module")
def running_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One platform shared by the tests that only use it, to keep the suite quick."""
    home = tmp_path_factory.mktemp("shared") / "state"
    process = start(home)
    try:
        yield home
    finally:
        stop(home, process)


@pytest.fixture
def platform(running_home: Path) -> dict[str, str]:
    return {**os.environ, **exported(running_home)}


def test_env_prints_every_variable_the_seed_commands_use(platform: dict[str, str]) -> None:
    for name in (
        "WORKFLOW_API_ENDPOINT",
        "DATAPLANE_API_ENDPOINT",
        "DATAPLANE_BUCKET",
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_DEFAULT_REGION",
    ):
        assert platform.get(name), name
    assert platform["DATAPLANE_API_ENDPOINT"].startswith("http://127.0.0.1:")


def test_aws_cli_and_awscurl_create_page_read_and_delete(platform: dict[str, str], tmp_path: Path) -> None:
    media = tmp_path / "clip.bin"
    media.write_bytes(b"\x00media" * 100)
    bucket = platform["DATAPLANE_BUCKET"]
    copy = subprocess.run(
        [str(BIN / "aws"), "s3", "cp", str(media), f"s3://{bucket}/upload/clip.bin"],
        env=platform,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert copy.returncode == 0, copy.stderr
    api = platform["DATAPLANE_API_ENDPOINT"]

    body = json.dumps({"Input": {"S3Bucket": bucket, "S3Key": "upload/clip.bin"}})
    code, out = awscurl(platform, "-X", "POST", "--data", body, f"{api}/create")
    assert code == 0, out
    asset_id = json.loads(out)["AssetId"]

    for page in (1, 2):
        stored = json.dumps(
            {"OperatorName": "Labels", "WorkflowId": "wf-1", "Results": {"page": page}, "Page": page}
        )
        code, out = awscurl(
            platform,
            "-X",
            "POST",
            "--data",
            stored,
            f"{api}/metadata/{asset_id}?paginated=true" + ("&end=true" if page == 2 else ""),
        )
        assert code == 0, out

    code, out = awscurl(platform, f"{api}/metadata/{asset_id}/Labels")
    first = json.loads(out)
    assert first["results"] == {"page": 1}
    code, out = awscurl(platform, f"{api}/metadata/{asset_id}/Labels?cursor={first['cursor']}")
    second = json.loads(out)
    assert second["results"] == {"page": 2}
    assert "cursor" not in second

    code, out = awscurl(platform, "-X", "DELETE", f"{api}/metadata/{asset_id}")
    assert code == 0, out
    code, out = awscurl(platform, f"{api}/metadata/{asset_id}")
    assert code != 0
    assert "404" in out or "NotFound" in out or "not found" in out.lower()


def test_unsigned_and_wrongly_signed_requests_are_refused(platform: dict[str, str]) -> None:
    api = platform["DATAPLANE_API_ENDPOINT"]
    assert requests.get(f"{api}/metadata", timeout=10).status_code == 403
    wrong = {**platform, "AWS_SECRET_ACCESS_KEY": "not-the-secret"}
    code, out = awscurl(wrong, f"{api}/metadata")
    assert code != 0
    assert "403" in out or "signature" in out.lower()
    assert requests.get(f"{api}/", timeout=10).status_code == 200  # health check stays open


def test_assets_definitions_and_executions_survive_a_restart(home: Path) -> None:
    process = start(home)
    try:
        env = {**os.environ, **exported(home)}
        bucket, api = env["DATAPLANE_BUCKET"], env["DATAPLANE_API_ENDPOINT"]
        _copy_to_bucket(env, "upload/keep.bin")
        body = json.dumps({"Input": {"S3Bucket": bucket, "S3Key": "upload/keep.bin"}})
        code, out = awscurl(env, "-X", "POST", "--data", body, f"{api}/create")
        assert code == 0, out
        asset_id = json.loads(out)["AssetId"]

        workflows = _workflow_client(env)
        workflows.set_max_concurrent_workflows(1)
        hang = {"_TestAsyncHang": {"TestAsyncHang": {"TimeoutSeconds": 600}}}
        for name, stage in (("KeepHang", "_TestAsyncHang"), ("KeepOk", "_TestSyncOk")):
            workflows.upsert("", {"Name": name, "StartAt": stage, "Stages": {stage: {"End": True}}})
        media = {"Video": {"S3Bucket": bucket, "S3Key": "upload/keep.bin"}}
        interrupted = workflows.start("KeepHang", media, Configuration=hang)["Id"]
        wait_until(lambda: workflows.execution(interrupted)["Status"] == "Started")
        waiting = workflows.start("KeepOk", media)["Id"]
        time.sleep(2.5)  # a scheduler run or two: the only slot is taken, so it must stay queued
        assert workflows.execution(waiting)["Status"] == "Queued"
    finally:
        stop(home, process)
    assert cli(home, "status").returncode != 0

    process = start(home)
    try:
        env = {**os.environ, **exported(home)}
        code, out = awscurl(env, f"{env['DATAPLANE_API_ENDPOINT']}/metadata")
        assert code == 0, out
        assert asset_id in json.loads(out)["assets"]

        workflows = _workflow_client(env)
        ended = workflows.wait(interrupted, timeout=60)
        assert ended["Status"] == "Error"
        assert ended["Error"] == "the local platform stopped while this execution ran"
        # Its slot came back, so the queued execution runs, on a state machine kept by the snapshot.
        assert workflows.wait(waiting, timeout=60)["Status"] == "Complete"
        again = workflows.start(
            "KeepOk", {"Video": {"S3Bucket": env["DATAPLANE_BUCKET"], "S3Key": "upload/keep.bin"}}
        )
        assert workflows.wait(again["Id"], timeout=60)["Status"] == "Complete"
    finally:
        stop(home, process)


def test_seed_commands_create_and_run_a_workflow_with_awscurl(platform: dict[str, str]) -> None:
    api, bucket = platform["WORKFLOW_API_ENDPOINT"], platform["DATAPLANE_BUCKET"]
    code, out = awscurl(platform, f"{api}/workflow/operation")
    assert code == 0, out
    assert "Mediainfo" in {operation["Name"] for operation in json.loads(out)}

    stage = json.dumps({"Name": "CliStage", "Operations": ["TestSyncOk", "TestMieStyle"]})
    code, out = awscurl(platform, "-X", "POST", "--data", stage, f"{api}/workflow/stage")
    assert code == 0, out
    workflow = json.dumps(
        {"Name": "CliWorkflow", "StartAt": "CliStage", "Stages": {"CliStage": {"End": True}}}
    )
    code, out = awscurl(platform, "-X", "POST", "--data", workflow, f"{api}/workflow")
    assert code == 0, out

    _copy_to_bucket(platform, "test_video.mp4")
    media = {"Video": {"S3Bucket": bucket, "S3Key": "test_video.mp4"}}
    body = json.dumps({"Name": "CliWorkflow", "Input": {"Media": media}})
    code, out = awscurl(platform, "-X", "POST", "--data", body, f"{api}/workflow/execution")
    assert code == 0, out
    execution_id = json.loads(out)["Id"]

    def status() -> str:
        code, out = awscurl(platform, f"{api}/workflow/execution/{execution_id}")
        assert code == 0, out
        return str(json.loads(out)["Status"])

    wait_until(lambda: status() in ("Complete", "Error"))
    assert status() == "Complete"
    code, out = awscurl(platform, f"{api}/workflow/execution/asset/{json.loads(out)['AssetId']}")
    assert code == 0, out
    assert [execution["Id"] for execution in json.loads(out)] == [execution_id]


def _copy_to_bucket(env: dict[str, str], key: str) -> None:
    subprocess.run(
        [str(BIN / "aws"), "s3", "cp", "-", f"s3://{env['DATAPLANE_BUCKET']}/{key}"],
        input="kept",
        env=env,
        text=True,
        check=True,
        capture_output=True,
        timeout=60,
    )


def _workflow_client(env: dict[str, str]) -> WorkflowClient:
    session = boto3.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_DEFAULT_REGION"],
    )
    return WorkflowClient(HttpTransport(env["WORKFLOW_API_ENDPOINT"], session=session))


def test_commands_that_need_a_running_platform_fail_in_one_line(home: Path) -> None:
    for command in ("env", "status", "down"):
        result = cli(home, command)
        assert result.returncode == 1, command
        assert result.stderr.strip().count("\n") == 0, result.stderr
        assert "not running" in result.stderr


def test_up_and_reset_refuse_while_running(running_home: Path) -> None:
    second = cli(running_home, "up")
    assert second.returncode == 1
    assert "already running" in second.stderr
    reset = cli(running_home, "reset")
    assert reset.returncode == 1
    assert (running_home / "credentials.json").exists()


def test_demo_runs_every_step_on_a_fresh_state_folder(home: Path) -> None:
    result = cli(home, "demo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "demo complete" in result.stdout
    assert "FAILED" not in result.stdout
    assert cli(home, "status").returncode == 1  # the demo's own platform stopped with it
