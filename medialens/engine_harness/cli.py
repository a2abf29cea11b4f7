"""`medialens engine ...`: test an engine of your own as the platform will run it.

    medialens engine test --manifest manifest.json --command "python -m my_engine" [--media FILE]
    medialens engine test --manifest manifest.json --process-url URL --ready-url URL
    medialens engine console --command "python -m my_engine" [--port N]

`test` exits 0 when every chunk (or the task) passed, 1 otherwise, each failure on one line; a
mistake on the command line (a missing file, a bad URL, bad JSON) is one line and exit 1 too.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.engines.models import ValidationMode
from medialens.engine_harness.errors import HarnessError
from medialens.engine_harness.harness import HarnessSettings, run_harness
from medialens.engine_harness.settings import EngineOptions, Limits, parse_payload

engine_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Test a Veritone-style engine of your own, as the Engine Toolkit's Test Console did.",
)
console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


class VideoChunks(StrEnum):
    FRAMES = "frames"
    CLIPS = "clips"


Command = Annotated[
    str | None, typer.Option(help='The engine\'s command, e.g. "python -m my_engine" (run as the toolkit)')
]
ProcessUrl = Annotated[str | None, typer.Option(help="A running engine's Process webhook URL")]
ReadyUrl = Annotated[str | None, typer.Option(help="A running engine's Ready webhook URL")]
ValidationOption = Annotated[ValidationMode, typer.Option(case_sensitive=False, help="VTN validation")]
Contracts = Annotated[
    list[str] | None, typer.Option("--contract", help="A VTN contract answers must meet (repeatable)")
]
Payload = Annotated[str | None, typer.Option(help="The task payload: JSON text, or @file")]
LibraryId = Annotated[str | None, typer.Option(help="Sent as libraryId (with a libraryModelDirectory)")]
LibraryModel = Annotated[str | None, typer.Option(help="Sent as libraryEngineModelId")]
CallTimeout = Annotated[int, typer.Option(help="Seconds one /process call may take")]
Attempts = Annotated[int, typer.Option(help="Attempts per call (100 ms, then doubling)")]


@engine_app.command("test")
def test_engine(
    manifest: Annotated[Path, typer.Option(help="The engine's manifest.json")],
    command: Command = None,
    process_url: ProcessUrl = None,
    ready_url: ReadyUrl = None,
    media: Annotated[Path | None, typer.Option(help="Media to send (default: generated)")] = None,
    payload: Payload = None,
    validation: ValidationOption = ValidationMode.WARN,
    contract: Contracts = None,
    fps: Annotated[float, typer.Option(help="Video frames per second (chunk engines)")] = 1.0,
    video: Annotated[VideoChunks, typer.Option(help="Cut video into frames or clips")] = VideoChunks.FRAMES,
    clip_seconds: Annotated[int, typer.Option(help="Length of video clips")] = 10,
    audio_seconds: Annotated[int, typer.Option(help="Length of audio segments")] = 10,
    skip_similar_frames: Annotated[
        bool, typer.Option(help="Skip near-identical frames (mpdecimate)")
    ] = False,
    max_blur: Annotated[float | None, typer.Option(help="Skip frames this blurred or more")] = None,
    concurrency: Annotated[int | None, typer.Option(help="/process calls at once")] = None,
    call_timeout: CallTimeout = 300,
    ready_timeout: Annotated[int, typer.Option(help="Seconds Ready is polled (every second)")] = 60,
    heartbeat_timeout: Annotated[int, typer.Option(help="Seconds allowed between heartbeats")] = 60,
    max_ttl: Annotated[int, typer.Option(help="Seconds a task may take (maxTTL)")] = 3600,
    attempts: Attempts = 3,
    max_response_bytes: Annotated[int, typer.Option(help="Largest answer accepted")] = 10 * 1024 * 1024,
    library_id: LibraryId = None,
    library_engine_model_id: LibraryModel = None,
    report_dir: Annotated[Path, typer.Option(help="report.json folder")] = Path("engine-test-report"),
) -> None:
    """Run the engine on real chunks (or one stream/batch task), validate every answer, report."""
    settings = HarnessSettings(
        manifest=manifest,
        command=command,
        process_url=process_url,
        ready_url=ready_url,
        media=media,
        limits=Limits(
            call_timeout=call_timeout,
            ready_timeout=ready_timeout,
            heartbeat_timeout=heartbeat_timeout,
            max_ttl=max_ttl,
            attempts=attempts,
            max_response_bytes=max_response_bytes,
            concurrency=concurrency,
            fps=fps,
            video=video.value,
            clip_seconds=clip_seconds,
            audio_segment_seconds=audio_seconds,
            skip_similar_frames=skip_similar_frames,
            max_blur=max_blur,
        ),
        options=EngineOptions(
            validation=validation.value,
            contracts=list(contract or []),
            payload=parse_payload(payload),
            library_id=library_id,
            library_engine_model_id=library_engine_model_id,
        ),
    )
    report = run_harness(settings)
    try:
        path = report.write(report_dir)
    except OSError as exc:
        raise HarnessError(f"cannot write the report in {report_dir}: {exc.strerror or exc}") from None
    if report.rows:
        console.print(report.table())
        console.print(report.summary_line(), markup=False, soft_wrap=True)
    for warning in report.warnings:
        errors.print(f"warning: {warning}", markup=False, soft_wrap=True)
    for failure in report.failures:
        errors.print(f"FAIL: {failure}", markup=False, soft_wrap=True)
    console.print(f"report: {path}", markup=False, soft_wrap=True)
    if not report.passed:
        errors.print(f"engine test failed: {len(report.failures)} failures", markup=False)
        raise typer.Exit(1)
    console.print("engine test passed", markup=False)


@engine_app.command("console")
def engine_console(
    command: Command = None,
    process_url: ProcessUrl = None,
    ready_url: ReadyUrl = None,
    manifest: Annotated[Path | None, typer.Option(help="The engine's manifest.json")] = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: a free one)")] = 0,
    validation: ValidationOption = ValidationMode.WARN,
    contract: Contracts = None,
    call_timeout: CallTimeout = 300,
    attempts: Attempts = 3,
) -> None:
    """A web page like the toolkit's Test Console: post a file and fields to /process, see the answer."""
    from medialens.engine_harness.console_app import ConsoleSettings, serve_console

    serve_console(
        ConsoleSettings(
            command=command,
            process_url=process_url,
            ready_url=ready_url,
            manifest=manifest,
            port=port,
            validation=validation.value,
            contracts=list(contract or []),
            call_timeout=call_timeout,
            attempts=attempts,
        ),
        announce=lambda line: console.print(line, markup=False, soft_wrap=True),
    )
