"""One `medialens engine test` run, from the manifest to report.json.

1. the manifest checked (HarnessError when unusable, warnings kept);
2. the Engine block built from the settings (HarnessError naming a bad field);
3. the engine command started (or the given URLs taken), Ready polled every second up to the
   limit (503 or no answer = not yet, 500 = broken, the command's exit = broken);
4. chunk engines: chunks cut and posted; stream and batch engines: one task with webhooks;
5. every answer validated, the answers merged; the engine stopped; report.json written.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from api.engines.models import EngineMode
from medialens.engine_harness.chunk_run import ChunkCall, run_chunks
from medialens.engine_harness.manifest_check import check_manifest
from medialens.engine_harness.media import generated_media, given_media
from medialens.engine_harness.report import Report
from medialens.engine_harness.settings import EngineOptions, Limits, engine_block, resolve_engine
from medialens.engine_harness.task_run import run_task
from medialens.engine_harness.task_server import TaskServer
from medialens.engine_harness.verdicts import RunContext
from operators.engine.client import EngineError, wait_ready
from operators.engine.run import TaskContext

OPERATOR_NAME = "EngineTest"


@dataclass
class HarnessSettings:
    """What `engine test` was asked: the engine (a command, or its two URLs), its manifest, the media."""

    manifest: Path
    command: str | None = None
    process_url: str | None = None
    ready_url: str | None = None
    media: Path | None = None
    limits: Limits = field(default_factory=Limits)
    options: EngineOptions = field(default_factory=EngineOptions)


def run_harness(settings: HarnessSettings, *, forward: Callable[[str], None] | None = None) -> Report:
    """Run the engine as the platform would; the report says what passed and why anything failed."""
    check = check_manifest(settings.manifest)
    media = given_media(settings.media) if settings.media is not None else None
    report = Report(warnings=list(check.warnings))
    with ExitStack() as stack:
        engine, process_url, ready_url = resolve_engine(
            settings.command, settings.process_url, settings.ready_url, forward
        )
        block = engine_block(process_url, ready_url, check, settings.limits, settings.options)
        report.engine = {
            "mode": block.mode.value,
            "processUrl": process_url,
            "readyUrl": ready_url,
            "command": settings.command,
        }
        contracts = list(block.Validation.Contracts)
        report.validation = {"mode": block.Validation.Mode.value, "contracts": contracts}
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="medialens-engine-test-")))
        if media is None:
            media = generated_media(block.mode, block.Manifest, workdir)
        report.media = {
            "path": str(media.path) if not media.generated else None,
            "kind": media.kind,
            "mimeType": media.mime_type,
            "generated": media.generated,
        }
        if engine is not None:
            stack.enter_context(engine)
        server = stack.enter_context(TaskServer())
        started = time.perf_counter()
        try:
            polls = wait_ready(
                ready_url, block.ReadyTimeoutSeconds, sleep=engine.checked_sleep if engine else time.sleep
            )
        except EngineError as exc:
            report.ready = {"ms": _ms_since(started)}
            report.fail(str(exc))
            return report
        report.ready = {"polls": polls, "ms": _ms_since(started)}
        job = f"harness-{uuid.uuid4()}"
        call = ChunkCall(
            TaskContext(job, OPERATOR_NAME, f"asset-{job}", block.Payload),
            server,
            _folder(workdir / "task-tmp"),
            _folder(workdir / "engine-dir"),
        )
        context = RunContext(block, report)
        if block.mode is EngineMode.CHUNK:
            run_chunks(context, media, call, workdir / "chunks")
        else:
            run_task(context, media, call)
    return report


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
