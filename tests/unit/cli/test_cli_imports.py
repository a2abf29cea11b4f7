"""The CLI's quick commands (`search`, `status`, `env`, `down`) start without importing moto.

moto's Step Functions interpreter pulls in its EC2 models and takes about a second to import;
only the commands that start a platform need it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return set(done.stdout.split())


def test_importing_the_cli_loads_no_moto() -> None:
    loaded = _modules_after("import medialens.cli")
    assert "medialens.cli" in loaded
    assert not {name for name in loaded if name == "moto" or name.startswith("moto.")}


def test_installing_the_signals_is_what_loads_moto() -> None:
    loaded = _modules_after("from medialens.runtime import moto_signals; moto_signals.install()")
    assert "moto.stepfunctions.parser.backend.execution" in loaded
