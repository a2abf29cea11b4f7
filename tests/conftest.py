"""Suite-wide collection rules.

`make test` runs the suite on two workers (pytest-xdist, `--dist loadgroup`). The CDK tests share
one synthesis per session, so they run together in one worker: the group `cdk`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_INFRASTRUCTURE = Path(__file__).resolve().parent / "infrastructure"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _INFRASTRUCTURE in Path(item.path).parents:
            item.add_marker(pytest.mark.xdist_group("cdk"))
