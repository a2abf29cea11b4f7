"""Which sample engines (`engines/<name>`) the local platform hosts, and the command that starts each.

`MEDIALENS_ENGINES` chooses: unset, every sample engine the library's operators use; `none`, none;
otherwise names joined by commas (`faces,text`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from engines.catalog import sample_engine
from medialens.runtime.engine_processes import EngineCommand
from operators.catalog import REPOSITORY_ROOT
from operators.library_engines import sample_engines

ENGINES_ENV = "MEDIALENS_ENGINES"


class UnknownEngineError(ValueError):
    """`MEDIALENS_ENGINES` names an engine that is not among the sample engines."""


def hosted_engines() -> list[str]:
    """The sample engines to host, as `MEDIALENS_ENGINES` chooses; raises UnknownEngineError."""
    available = sample_engines()
    chosen = os.environ.get(ENGINES_ENV)
    if chosen is None:
        return available
    names = [name.strip() for name in chosen.split(",") if name.strip() not in ("", "none")]
    unknown = [name for name in names if name not in available]
    if unknown:
        raise UnknownEngineError(
            f"{ENGINES_ENV} names no sample engine {', '.join(unknown)}; "
            f"they are: {', '.join(available) or 'none'} (or none)"
        )
    return names


def sample_engine_commands(names: Sequence[str]) -> list[EngineCommand]:
    """Each sample engine started as `python -m engines.<name>` from the repository."""
    paths = [str(REPOSITORY_ROOT), os.environ.get("PYTHONPATH", "")]
    environment = {"PYTHONPATH": os.pathsep.join(path for path in paths if path)}
    return [
        EngineCommand(name, sample_engine(name).command(), environment, str(REPOSITORY_ROOT))
        for name in names
    ]
