"""With the Lambda guard on, moto never tries Docker, even where no bridge runs the function."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator

import pytest

from medialens.runtime.lambda_bridge import ensure_role
from medialens.runtime.lambda_guard import NOT_RUNNING_MESSAGE, LambdaGuard
from medialens.runtime.sessions import LocalSession

pytestmark = pytest.mark.local


@pytest.fixture()
def guarded(session: LocalSession) -> Iterator[LocalSession]:
    with LambdaGuard():
        yield session


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return 1\n")
    return buffer.getvalue()


def test_an_invoke_no_bridge_serves_is_an_error_and_not_a_docker_attempt(
    guarded: LocalSession, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    lam = guarded.client("lambda")
    lam.create_function(
        FunctionName="unbridged",
        Runtime="python3.12",
        Role=ensure_role(guarded.client("iam")),
        Handler="app.handler",
        Code={"ZipFile": _zip()},
    )

    answer = lam.invoke(FunctionName="unbridged", Payload=b"{}")

    assert "FunctionError" in answer
    assert json.loads(answer["Payload"].read())["errorMessage"] == NOT_RUNNING_MESSAGE
    captured = capfd.readouterr()
    assert "docker" not in (captured.out + captured.err + caplog.text).lower()
