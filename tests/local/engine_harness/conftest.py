"""The engine harness driven through the `medialens` command, in this process, against engines on
127.0.0.1: fault-injecting ones (tests/support/fault_engine.py) and the walk-through's example."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from api.engines.models import EngineManifest, EngineMode
from medialens.cli import main
from medialens.engine_harness.media import generated_media
from medialens.sample_media import make_sample_video
from tests.support.fault_engine import FaultEngine, started_engine

REPOSITORY = Path(__file__).resolve().parents[3]
EXAMPLE = REPOSITORY / "examples" / "engines" / "brightness"


@dataclass
class CliRun:
    code: int
    out: str
    err: str
    report_dir: Path

    @property
    def failures(self) -> list[str]:
        return [line.removeprefix("FAIL: ") for line in self.err.splitlines() if line.startswith("FAIL: ")]

    def report(self) -> dict[str, Any]:
        return dict(json.loads((self.report_dir / "report.json").read_text()))


@pytest.fixture
def medialens(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Any:
    """Runs `medialens <args>` as the console script does; answers exit code, stdout, stderr."""

    def run(*args: str) -> CliRun:
        report_dir = tmp_path / f"report-{len(list(tmp_path.glob('report-*')))}"
        extra = ["--report-dir", str(report_dir)] if args[:2] == ("engine", "test") else []
        monkeypatch.setattr(sys, "argv", ["medialens", *args, *extra])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err, report_dir)

    return run


def write_manifest(folder: Path, mode: str, formats: list[str], **extra: Any) -> Path:
    path = folder / f"manifest-{mode}.json"
    path.write_text(json.dumps({"engineMode": mode, "supportedInputFormats": formats, **extra}))
    return path


@dataclass(frozen=True)
class Samples:
    video: Path  # 2 s, H.264 + AAC
    frame: Path  # one JPEG frame
    chunk_manifest: Path  # a chunk engine taking JPEG
    stream_manifest: Path  # a stream engine taking MP4
    batch_manifest: Path


@pytest.fixture(scope="package")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Samples:
    folder = tmp_path_factory.mktemp("samples")
    video = make_sample_video(folder / "sample.mp4", seconds=2)
    jpeg_only = EngineManifest.model_validate(
        {"engineMode": "stream", "supportedInputFormats": ["image/jpeg"]}
    )
    frame = generated_media(EngineMode.STREAM, jpeg_only, folder).path
    return Samples(
        video,
        frame,
        write_manifest(folder, "chunk", ["image/jpeg"], engineId="fault-chunk"),
        write_manifest(folder, "stream", ["video/mp4"]),
        write_manifest(folder, "batch", ["video/mp4"]),
    )


@pytest.fixture
def engine() -> Iterator[FaultEngine]:
    with started_engine() as server:
        yield server


def urls(engine: FaultEngine) -> list[str]:
    return ["--process-url", f"{engine.base_url}/process", "--ready-url", f"{engine.base_url}/ready"]


def frame_args(samples: Samples, engine: FaultEngine, *extra: str) -> list[str]:
    """`engine test` of the fault engine as a JPEG chunk engine, on one frame."""
    return [
        "engine", "test", "--manifest", str(samples.chunk_manifest), "--media", str(samples.frame),
        *urls(engine), *extra,
    ]  # fmt: skip
