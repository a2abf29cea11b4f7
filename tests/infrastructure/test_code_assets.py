"""Every deployed handler imports with only what its code asset and the SDK layer hold.

The platform functions ship the `api` package, the operators the `operators` package; the layer
adds `medialens_helper` and third-party packages. A handler importing anything else (the local
runtime, the CDK app, the other asset) would fail on Lambda at its first invocation, so each is
imported here in a fresh interpreter where those packages cannot be found.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

from infrastructure.paths import HELPER_SOURCE, LAYER_REQUIREMENTS, MEDIA_TOOLS_REQUIREMENTS, REPO_ROOT
from tests.infrastructure.conftest import Synthesized

ASSETS = ("api", "operators")  # each asset is that one top-level package of the repository
# The engine operator's asset holds both (infrastructure/engine_operator.py); its layers are the operators'.
ENGINE_ASSET = "operators+api"
ENGINE_HANDLER_PREFIX = "operators.engine."
TOP_LEVEL_PACKAGES = ("api", "operators", "medialens", "infrastructure", "bench", "tests")

# Run in a fresh interpreter: block every top-level package of the repository but the asset's own,
# then import each handler and check its entry point is callable.
PROBE = """
import importlib, sys
asset, blocked, handlers = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
preloaded = set(sys.modules)  # the interpreter's own start-up (site hooks), not the handlers' doing
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
import json, sysconfig
site = sysconfig.get_paths()["purelib"]
third_party = sorted({
    name.split(".")[0] for name, module in list(sys.modules.items())
    if name not in preloaded and module is not None
    and str(getattr(module, "__file__", "") or "").startswith(site)
})
print(json.dumps({"failures": failures, "third_party": third_party}))
sys.exit(1 if failures else 0)
"""


# Distributions every Lambda Python runtime provides (the layer leaves them out on purpose), and
# awscrt, which botocore loads only if it happens to be installed.
LAMBDA_RUNTIME_DISTRIBUTIONS = {
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "python-dateutil",
    "six",
    "urllib3",
}
OPTIONAL_IMPORTS = {"awscrt"}


def _pinned(requirements: Path) -> set[str]:
    names = set()
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(_normal(line.split("==", 1)[0]))
    return names


def _normal(distribution: str) -> str:
    return distribution.lower().replace("_", "-")


# What each asset's functions get besides their own code: the SDK layer, and for operators the
# media tools layer too.
AVAILABLE = {
    "api": _pinned(LAYER_REQUIREMENTS) | LAMBDA_RUNTIME_DISTRIBUTIONS | OPTIONAL_IMPORTS,
    "operators": _pinned(LAYER_REQUIREMENTS)
    | _pinned(MEDIA_TOOLS_REQUIREMENTS)
    | LAMBDA_RUNTIME_DISTRIBUTIONS
    | OPTIONAL_IMPORTS,
}
AVAILABLE[ENGINE_ASSET] = AVAILABLE["operators"]


def _probe(
    asset: str, blocked: list[str], handlers: list[str], pythonpath: str
) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, asset, ",".join(blocked), *handlers],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": pythonpath},
    )
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    report: dict[str, Any] = json.loads(lines[-1])
    return done.returncode, report


def _handlers_by_asset(synthesized: Synthesized) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for function in synthesized.of_type("AWS::Lambda::Function").values():
        handler = str(function["Properties"].get("Handler", ""))
        package = handler.split(".", 1)[0]
        if handler.startswith(ENGINE_HANDLER_PREFIX):
            found.setdefault(ENGINE_ASSET, []).append(handler)
        elif package in ASSETS:
            found.setdefault(package, []).append(handler)
    return found


def test_every_handler_imports_from_its_own_asset_and_its_layers_alone(synthesized: Synthesized) -> None:
    by_asset = _handlers_by_asset(synthesized)
    assert set(by_asset) == {*ASSETS, ENGINE_ASSET}
    distributions = packages_distributions()
    for asset, handlers in by_asset.items():
        blocked = [p for p in TOP_LEVEL_PACKAGES if p not in asset.split("+")]
        returncode, report = _probe(asset, blocked, sorted(set(handlers)), f"{REPO_ROOT}:{HELPER_SOURCE}")
        assert returncode == 0, report["failures"]
        needed = {_normal(d) for module in report["third_party"] for d in distributions.get(module, [module])}
        assert needed - AVAILABLE[asset] == set(), f"{asset} handlers import what no layer holds"


def test_the_probe_notices_a_handler_that_reaches_outside_its_asset() -> None:
    # An operator handler importing the local runtime must be reported.
    returncode, report = _probe("operators", ["medialens"], ["medialens.cli.main"], str(REPO_ROOT))
    assert returncode == 1
    assert report["failures"][0].startswith("medialens.cli.main: ModuleNotFoundError")


def test_the_probe_lists_third_party_packages_a_handler_loads() -> None:
    # The layer check above relies on this list; the local runtime's CLI loads rich, which no layer has.
    _, report = _probe("medialens", [], ["medialens.cli.main"], str(REPO_ROOT))
    assert "rich" in report["third_party"]
    assert _normal("rich") not in AVAILABLE["api"]
