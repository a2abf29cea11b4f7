"""Run the npm ``asl-validator`` (pinned in package.json) on a definition and return its problems.

moto accepts many broken definitions, so generated ASL is also checked by an independent
validator. The CLI is driven with ``--json-path`` rather than ``--json-definition``: a definition
can exceed the per-argument size limit of the OS, and the CLI exits 0 when it cannot parse an
inline definition.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = REPO_ROOT / "node_modules" / ".bin" / "asl-validator"
INSTALL_HINT = "asl-validator is not installed: run `npm ci` in the repository root"


class AslValidatorMissingError(RuntimeError):
    """The Node validator (or node itself) is missing."""


def validator_problem() -> str | None:
    """Why the validator cannot run, or None when it can."""
    if shutil.which("node") is None:
        return "node is not on PATH; install Node 20, then run `npm ci` in the repository root"
    if not VALIDATOR.exists():
        return f"{INSTALL_HINT} ({VALIDATOR} is missing)"
    return None


def asl_validator_problems(definition: Mapping[str, Any] | str, *, timeout: float = 60) -> list[str]:
    """Problems asl-validator reports (empty when the definition is valid)."""
    problem = validator_problem()
    if problem is not None:
        raise AslValidatorMissingError(problem)
    text = definition if isinstance(definition, str) else json.dumps(definition)
    with tempfile.TemporaryDirectory(prefix="asl-") as tmp:
        path = Path(tmp) / "definition.asl.json"
        path.write_text(text, encoding="utf-8")
        done = subprocess.run(
            [str(VALIDATOR), "--json-path", str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO_ROOT,
            check=False,
        )
    if done.returncode == 0:
        return []
    if done.returncode == 1:
        # stderr: a "✕ ... is invalid:" header, then one "CODE: message" line per problem.
        lines = [line.strip() for line in done.stderr.splitlines()[1:]]
        return [line for line in lines if line] or [done.stderr.strip()]
    raise RuntimeError(f"asl-validator crashed (exit {done.returncode}): {done.stderr.strip()}")
