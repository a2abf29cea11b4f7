"""The toolkit's side of stream and batch tasks (media server + webhooks), one per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.engines_samples.running import ToolkitSide


@pytest.fixture(scope="module")
def toolkit() -> Iterator[ToolkitSide]:
    with ToolkitSide() as side:
        yield side
