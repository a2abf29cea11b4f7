"""One local platform (the real deployment) for the property-based API tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local.workflows.platform_client import RunningPlatform, started_platform


@pytest.fixture(scope="package")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    with started_platform(Path(tmp_path_factory.mktemp("platform"))) as platform:
        yield platform
