"""Every deployed handler imports with only what its code asset and the SDK layer hold.

The platform functions ship the `api` package, the operators the `operators` package; the layer
adds `medialens_helper` and third-party packages. A handler importing anything else (the local
runtime, the CDK app, the other asset) would fail on Lambda at its first invocation, so each is
imported here in a fresh interpreter where those packages cannot be found.
"""

from __future__ import annotations

import subprocess
import sys

from infrastructure.paths import REPO_ROOT
from tests.infrastructure.conftest import Synthesized

ASSETS = ("api", "operators")  # each asset is that one top-level package of the repository
TOP_LEVEL_PACKAGES = ("api", "operators", "medialens", "infrastructure", "bench", "tests")

# Run in a fresh interpreter: block every top-level package of the repository but the asset's own,
# then import each handler and check its entry point is callable.
PROBE = """
import importlib, sys
asset, blocked, handlers = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
for name in blocked:
    sys.modules[name] = None  # `import name` now raises ImportError
failures = []
for handler in handlers:
    module, _, function = handler.rpartition(".")
    try:
        entry = getattr(importlib.import_module(module), function)
        assert callable(entry), handler
    except Exception as exc:
        failures.append(f"{handler}: {type(exc).__name__}: {exc}")
print("\\n".join(failures))
sys.exit(1 if failures else 0)
"""


def _handlers_by_asset(synthesized: Synthesized) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for function in synthesized.of_type("AWS::Lambda::Function").values():
        handler = str(function["Properties"].get("Handler", ""))
        package = handler.split(".", 1)[0]
        if package in ASSETS:
            found.setdefault(package, []).append(handler)
    return found


def test_every_handler_imports_from_its_own_asset_and_the_layer_alone(synthesized: Synthesized) -> None:
    by_asset = _handlers_by_asset(synthesized)
    assert set(by_asset) == set(ASSETS)
    for asset, handlers in by_asset.items():
        blocked = ",".join(p for p in TOP_LEVEL_PACKAGES if p != asset)
        done = subprocess.run(
            [sys.executable, "-c", PROBE, asset, blocked, *sorted(set(handlers))],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{REPO_ROOT}:{REPO_ROOT / 'lib' / 'helper'}"},
        )
        assert done.returncode == 0, f"{asset} asset:\n{done.stdout}{done.stderr}"


def test_the_probe_notices_a_handler_that_reaches_outside_its_asset() -> None:
    # An operator handler importing the local runtime must be reported.
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "operators", "medialens", "medialens.cli.main"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)},
    )
    assert done.returncode == 1
    assert "medialens.cli.main: ModuleNotFoundError" in done.stdout
