"""A fault-injecting engine on 127.0.0.1 per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fault_engine import FaultEngine, started_engine


@pytest.fixture
def engine() -> Iterator[FaultEngine]:
    with started_engine() as server:
        yield server
