"""The sample engines Medialens ships, for the local runtime to start and the harness to test.

Each entry names the engine, the module `python -m <module>` runs (the toolkit's way: a
subprocess whose port comes from `VERITONE_WEBHOOK_PROCESS` / `VERITONE_WEBHOOK_READY` or
`--port`), and its `manifest.json`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENGINES_ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class SampleEngine:
    """One sample engine: `name` ("faces"), `module` ("engines.faces"), `directory` (its folder)."""

    name: str
    module: str
    directory: Path

    @property
    def manifest_path(self) -> Path:
        return self.directory / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        """The parsed manifest.json (`engineMode`, `supportedInputFormats`, `validationContracts`, ...)."""
        document = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        if not isinstance(document, dict):
            raise ValueError(f"{self.manifest_path} is not a JSON object")
        return document

    @property
    def mode(self) -> str:
        """`chunk`, `stream` or `batch` (the manifest's `engineMode`)."""
        return str(self.manifest()["engineMode"])

    def command(self, *, port: int | None = None, python: str = sys.executable) -> list[str]:
        """The command that starts the engine; without `port` it reads the toolkit's variables."""
        return [python, "-m", self.module, *([] if port is None else ["--port", str(port)])]


def _entry(name: str) -> SampleEngine:
    return SampleEngine(name=name, module=f"engines.{name}", directory=ENGINES_ROOT / name)


SAMPLE_ENGINES: tuple[SampleEngine, ...] = tuple(
    _entry(name) for name in ("faces", "text", "transcription", "keywords", "shots", "signals")
)


def sample_engine(name: str) -> SampleEngine:
    """The entry called `name`; a `KeyError` naming the known engines otherwise."""
    for engine in SAMPLE_ENGINES:
        if engine.name == name:
            return engine
    raise KeyError(f"no sample engine {name!r} (known: {', '.join(e.name for e in SAMPLE_ENGINES)})")
