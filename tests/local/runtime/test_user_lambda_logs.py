"""Function output goes to CloudWatch Logs on the local endpoint (`/aws/lambda/{name}`), in
Lambda's format; the platform log stays short and never speaks of Docker."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from medialens.runtime.log_routing import MOTO_LINE_CHARS
from medialens.runtime.platform import LocalPlatform

from .user_lambda_support import build_zip, deploy, lambda_platform, wait_for

pytestmark = pytest.mark.local

APP = """
import logging
import time

def handler(event, context):
    print("printed line", event["n"])
    logging.getLogger().warning("logged warning %s", event["n"])
    if event.get("fail"):
        raise KeyError("no such thing")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return "ok"
"""


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPlatform]:
    with lambda_platform(tmp_path_factory.mktemp("state")) as running:
        yield running


@pytest.fixture(scope="module")
def aws(platform: LocalPlatform) -> Any:
    assert platform.session is not None
    return platform.session


@pytest.fixture(scope="module")
def function_name(platform: LocalPlatform, aws: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    name = f"logger-{uuid.uuid4().hex[:8]}"
    deploy(platform, name, build_zip(tmp_path_factory.mktemp("src"), {"app.py": APP}), Timeout=1)
    return name


def invoke(aws: Any, name: str, event: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = aws.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event))
    answer["Payload"] = json.loads(answer["Payload"].read())
    return answer


def messages(aws: Any, name: str, containing: str) -> list[str]:
    """The messages of /aws/lambda/NAME that contain `containing`, once there is one."""

    def probe() -> list[str]:
        logs = aws.client("logs")
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except logs.exceptions.ResourceNotFoundException:
            return []
        found = [str(event["message"]) for event in events]
        return found if any(containing in message for message in found) else []

    found: list[str] = wait_for(probe)
    return found


def test_output_and_lambda_lines_reach_the_log_group(aws: Any, function_name: str) -> None:
    invoke(aws, function_name, {"n": 41})

    found = messages(aws, function_name, "REPORT RequestId")

    assert "printed line 41" in found
    starts = [m for m in found if m.startswith("START RequestId: ")]
    assert starts and starts[-1].endswith("Version: $LATEST")
    request_id = starts[-1].split()[2]
    warning = next(m for m in found if m.endswith("\tlogged warning 41"))
    level, stamp, logged_request, _ = warning.split("\t")
    assert (level, logged_request) == ("[WARNING]", request_id)
    assert stamp.endswith("Z") and "T" in stamp
    assert f"END RequestId: {request_id}" in found
    report = next(m for m in found if m.startswith(f"REPORT RequestId: {request_id}"))
    assert "\tDuration: " in report and "\tMemory Size: 128 MB" in report


def test_get_log_events_reads_one_stream_per_execution_environment(aws: Any, function_name: str) -> None:
    invoke(aws, function_name, {"n": 7})
    messages(aws, function_name, "printed line 7")
    logs = aws.client("logs")

    streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{function_name}")["logStreams"]
    events = [
        event["message"]
        for stream in streams
        for event in logs.get_log_events(
            logGroupName=f"/aws/lambda/{function_name}", logStreamName=stream["logStreamName"]
        )["events"]
    ]

    assert all("/[$LATEST]" in stream["logStreamName"] for stream in streams)
    assert "printed line 7" in events


def test_unhandled_exception_is_logged_as_lambda_logs_it(aws: Any, function_name: str) -> None:
    answer = invoke(aws, function_name, {"n": 1, "fail": True})
    assert answer["FunctionError"] == "Unhandled"

    found = messages(aws, function_name, "[ERROR] KeyError")

    record = next(m for m in found if m.startswith("[ERROR] KeyError: "))
    lines = record.splitlines()  # one event, several lines, as on Lambda
    assert lines[0] == "[ERROR] KeyError: 'no such thing'"
    assert lines[1] == "Traceback (most recent call last):"
    assert any('app.py", line' in line and "in handler" in line for line in lines[2:])


def test_a_logged_traceback_is_one_event(platform: LocalPlatform, aws: Any, tmp_path: Path) -> None:
    name = f"tracer-{uuid.uuid4().hex[:8]}"
    source = (
        "import logging\n"
        "def handler(e, c):\n"
        "    try:\n        {}['missing']\n"
        "    except KeyError:\n        logging.getLogger('mine').exception('caught it')\n"
    )
    deploy(platform, name, build_zip(tmp_path, {"app.py": source}))

    invoke(aws, name, {})

    found = messages(aws, name, "caught it")
    record = next(m for m in found if "caught it" in m)
    assert record.startswith("[ERROR]\t")
    assert "Traceback (most recent call last):" in record.splitlines()
    assert record.splitlines()[-1] == "KeyError: 'missing'"


def test_timeout_is_logged(aws: Any, function_name: str) -> None:
    answer = invoke(aws, function_name, {"n": 2, "sleep": 5})
    assert answer["Payload"]["errorType"] == "Sandbox.Timedout"

    found = messages(aws, function_name, "Task timed out after 1.00 seconds")

    assert any("Status: timeout" in m for m in found)


def test_import_error_is_logged(platform: LocalPlatform, aws: Any, tmp_path: Path) -> None:
    name = f"broken-{uuid.uuid4().hex[:8]}"
    deploy(platform, name, build_zip(tmp_path, {"app.py": "import no_such_package_anywhere\n"}))

    answer = invoke(aws, name, {})

    assert answer["Payload"]["errorType"] == "Runtime.ImportModuleError"
    found = messages(aws, name, "[ERROR] Runtime.ImportModuleError")
    assert any(
        "Unable to import module 'app': No module named 'no_such_package_anywhere'" in m for m in found
    )


def test_the_aws_cli_reads_the_log_group(platform: LocalPlatform, aws: Any, function_name: str) -> None:
    invoke(aws, function_name, {"n": 99})
    messages(aws, function_name, "printed line 99")
    credentials = platform.state.credentials()
    assert platform.endpoints is not None
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": credentials.access_key_id,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
        "AWS_DEFAULT_REGION": credentials.region,
    }
    command = [
        str(Path(sys.executable).with_name("aws")),
        "--endpoint-url",
        platform.endpoints.moto_url,
        "logs",
        "filter-log-events",
        "--log-group-name",
        f"/aws/lambda/{function_name}",
        "--filter-pattern",
        "printed",
    ]

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)

    assert done.returncode == 0, done.stderr
    found = [event["message"] for event in json.loads(done.stdout)["events"]]
    assert "printed line 99" in found


def test_platform_log_never_mentions_docker(
    platform: LocalPlatform, aws: Any, function_name: str, capfd: pytest.CaptureFixture[str]
) -> None:
    invoke(aws, function_name, {"n": 3})
    invoke(aws, function_name, {"n": 4, "fail": True})

    captured = capfd.readouterr()
    text = platform.state.log_file.read_text()

    assert "docker" not in text.lower()
    assert "docker" not in (captured.out + captured.err).lower()


def test_moto_records_are_one_short_line_in_the_platform_log(platform: LocalPlatform) -> None:
    state_dump = json.dumps({"state": "x" * 5000}, indent=2)

    logging.getLogger("moto.stepfunctions.parser").error("Stepfunctions computation ended: %s", state_dump)

    lines = [line for line in platform.state.log_file.read_text().splitlines() if "computation ended" in line]
    assert len(lines) == 1
    assert len(lines[0]) < MOTO_LINE_CHARS + 120  # the time, logger name and level come first
