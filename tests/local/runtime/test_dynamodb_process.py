"""DynamoDB in a process of its own: one set of tables whichever endpoint a client uses, journaled."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from medialens import cli
from medialens.runtime import service_process
from medialens.runtime.platform import LocalPlatform
from medialens.runtime.service_process import DynamoDBProcess, ServiceProcessError
from tests.local.workflows.platform_client import RunningPlatform, started_platform

pytestmark = pytest.mark.local

TABLE = "user-table"


def _client(running: RunningPlatform, endpoint: str) -> Any:
    credentials = running.platform.state.credentials()
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=credentials.region,
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
    )


def _dynamodb_url(platform: LocalPlatform) -> str:
    assert platform.dynamodb_process is not None
    return platform.dynamodb_process.url


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # ended, not yet reaped


def test_one_set_of_tables_whichever_endpoint_journaled_and_ended_with_the_platform(tmp_path: Path) -> None:
    # Stops without a snapshot (`started_platform`): at the next start the journals hold it all.
    with started_platform(tmp_path) as running:
        main = _client(running, running.endpoints.moto_url)  # what `aws dynamodb` sends with AWS_ENDPOINT_URL
        direct = _client(running, _dynamodb_url(running.platform))
        platform_tables = set(running.aws.client("dynamodb").list_tables()["TableNames"])
        assert running.deployment.names.execution_table in platform_tables
        assert set(main.list_tables()["TableNames"]) == platform_tables

        main.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "Id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "Id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        main.put_item(TableName=TABLE, Item={"Id": {"S": "a"}, "B": {"B": b"\x00\x01"}})
        assert direct.get_item(TableName=TABLE, Key={"Id": {"S": "a"}})["Item"]["B"] == {"B": b"\x00\x01"}
        with pytest.raises(main.exceptions.ConditionalCheckFailedException):  # errors come back as they are
            main.put_item(
                TableName=TABLE, Item={"Id": {"S": "a"}}, ConditionExpression="attribute_not_exists(Id)"
            )

        # The platform's own execution records are written to the process the main endpoint forwards to.
        execution = running.run(running.workflow([["TestSyncOk"]]))
        record = main.get_item(
            TableName=running.deployment.names.execution_table, Key={"Id": {"S": execution["Id"]}}
        )["Item"]
        assert record["Status"] == {"S": "Complete"}
        pid = running.platform.dynamodb_process.pid  # type: ignore[union-attr]
        assert pid is not None

    deadline = time.monotonic() + 10
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(pid), "the DynamoDB process outlived the platform's stop"
    assert not (tmp_path / "snapshot").exists()
    assert any((tmp_path / "journal-dynamodb").iterdir())

    with started_platform(tmp_path) as running:
        assert running.api.execution(execution["Id"])["Status"] == "Complete"


class _Silent(DynamoDBProcess):
    """A child that never answers (a wedged start)."""

    def _argv(self) -> list[str]:
        return [sys.executable, "-c", "import time; time.sleep(60)"]


class _Failing(DynamoDBProcess):
    """A child that exits at once (a broken installation)."""

    def _argv(self) -> list[str]:
        return [sys.executable, "-c", "raise SystemExit(3)"]


def test_a_child_that_never_listens_is_killed_after_the_start_timeout() -> None:
    process = _Silent()
    process.launch()
    pid = process.pid
    assert pid is not None
    with pytest.raises(ServiceProcessError, match=r"did not answer 'url' within 1 s"):
        process.wait_ready(timeout=1.0)
    assert _gone(pid)
    assert process.pid is None


def test_a_child_that_exits_at_start_names_its_exit_status() -> None:
    process = _Failing()
    process.launch()
    with pytest.raises(ServiceProcessError, match=r"exited \(3\)"):
        process.wait_ready(timeout=30.0)


def test_medialens_up_says_in_one_line_that_dynamodb_did_not_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(DynamoDBProcess, "_argv", _Silent._argv)
    monkeypatch.setattr(service_process, "START_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setenv("MEDIALENS_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("MEDIALENS_ENGINES", "none")
    monkeypatch.setattr(sys, "argv", ["medialens", "up"])

    with pytest.raises(SystemExit) as exited:
        cli.main()

    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "medialens: cannot start: the DynamoDB process did not answer 'url' within 1 s"
    ]
    assert not (tmp_path / "state" / "platform.pid").exists()
