"""One local platform per package: the workflow API the registration handler registers with."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local.workflows.platform_client import RunningPlatform, started_platform


@pytest.fixture(scope="package")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    with started_platform(Path(tmp_path_factory.mktemp("platform"))) as platform:
        yield platform


@pytest.fixture
def signed_as_platform_user(running: RunningPlatform, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The handler signs with boto3's default credentials, as the deployed function's role does."""
    credentials = running.platform.state.credentials()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials.secret_access_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", credentials.region)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    yield
