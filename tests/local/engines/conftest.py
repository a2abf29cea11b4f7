"""One local platform per package, a fault-injecting engine per test, and a real sample video."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from medialens.sample_media import make_sample_video
from tests.local.workflows.platform_client import RunningPlatform, started_platform
from tests.support.fault_engine import FaultEngine, started_engine


@pytest.fixture(scope="package")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    with started_platform(Path(tmp_path_factory.mktemp("platform"))) as platform:
        yield platform


@pytest.fixture(scope="package")
def sample_video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 3-second H.264 video with a tone: 6 frames at 2 per second, one 3-second audio segment."""
    return make_sample_video(Path(tmp_path_factory.mktemp("media")) / "sample.mp4", seconds=3).read_bytes()


@pytest.fixture
def engine() -> Iterator[FaultEngine]:
    with started_engine() as server:
        yield server
