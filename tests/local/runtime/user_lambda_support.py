"""What the tests of users' own Lambda functions share: zips built from sources written outside the
repository, and a local platform with no functions of its own (quick to start and restart)."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3

from medialens.durability.changes import Change
from medialens.runtime.event_sources import EventSourceSpec, Invoke, PollingThread
from medialens.runtime.functions import FunctionSpec
from medialens.runtime.platform import LocalPlatform
from medialens.state import Endpoints, StateDir

ROLE_NAME = "user-lambda-role"
WAIT_SECONDS = 20.0


def build_zip(folder: Path, files: Mapping[str, str]) -> bytes:
    """Write `files` (relative path -> source) into `folder`, then zip the folder as a user would."""
    for name, source in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


class NoFunctionsDeployment:
    """A deployment with one bucket and no functions: the platform's Lambda runtime alone."""

    bucket_name = "user-lambda-bucket"

    def functions(self, moto_url: str, api_url: str) -> list[FunctionSpec]:
        return []

    def provision(self, session: boto3.Session) -> None:
        session.client("s3").create_bucket(Bucket=self.bucket_name)

    def event_sources(self) -> list[EventSourceSpec]:
        return []

    def api_routes(self) -> Mapping[str, str]:
        return {}

    def recover(self, session: boto3.Session, moto_url: str, replayed: Sequence[Change]) -> str | None:
        return None

    def background_tasks(self, session: boto3.Session, invoke: Invoke) -> list[PollingThread]:
        return []

    def on_ready(self, endpoints: Endpoints, progress: Callable[[str], None]) -> None:
        return None


@contextmanager
def lambda_platform(root: Path, *, save: bool = False) -> Iterator[LocalPlatform]:
    """A started platform on `root` with no functions of its own; stopped (and saved if asked) after."""
    state = StateDir(root)
    platform = LocalPlatform(state, NoFunctionsDeployment(), save_snapshot=save)
    platform.start(progress=lambda _: None)
    try:
        yield platform
    finally:
        platform.stop(progress=lambda _: None)


def role_arn(platform: LocalPlatform) -> str:
    """A role a user would create for their function (the trust policy Lambda needs)."""
    assert platform.session is not None
    iam = platform.session.client("iam")
    trust = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
        '{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    )
    try:
        return str(iam.get_role(RoleName=ROLE_NAME)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        return str(iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=trust)["Role"]["Arn"])


def deploy(platform: LocalPlatform, name: str, code: bytes, **settings: Any) -> dict[str, Any]:
    """`create-function` as a user runs it: python3.12, handler `app.handler` unless given."""
    assert platform.session is not None
    settings.setdefault("Runtime", "python3.12")
    settings.setdefault("Handler", "app.handler")
    made: dict[str, Any] = platform.session.client("lambda").create_function(
        FunctionName=name, Role=role_arn(platform), Code={"ZipFile": code}, **settings
    )
    return made


def wait_for(probe: Callable[[], Any], timeout: float = WAIT_SECONDS) -> Any:
    """`probe()`'s first truthy answer, polled every 0.1 s for at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = probe()
        if answer:
            return answer
        time.sleep(0.1)
    raise AssertionError(f"no answer within {timeout} s")
