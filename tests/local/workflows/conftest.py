"""One local platform (the real deployment: operator library, scheduler, watcher) per test package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from medialens.deployment import LocalDeployment
from medialens.runtime.platform import LocalPlatform
from medialens.state import StateDir
from tests.local.workflows.platform_client import RunningPlatform


@pytest.fixture(scope="package")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    state = StateDir(Path(tmp_path_factory.mktemp("platform")))
    deployment = LocalDeployment(state)
    platform = LocalPlatform(state, deployment, save_snapshot=False)
    platform.start(progress=lambda _: None)
    try:
        yield RunningPlatform.attach(platform, deployment)
    finally:
        platform.stop(progress=lambda _: None)
