"""A chunk engine's run: the media cut with the platform's chunker, each chunk posted to `/process`
with the platform's form, client and retry policy, at most `Concurrency` calls at once.

A chunk fails as it fails on the platform (an error after the retries, an answer over the size
limit, an `estimatedProcessingTimeInSeconds` answer, which a chunk engine's operator does not
take); `204` or an empty `200` is an ignored chunk, another content type a media answer.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.engines.plan import Chunk
from medialens.engine_harness.media import Media
from medialens.engine_harness.report import Row, counts
from medialens.engine_harness.task_server import TaskServer
from medialens.engine_harness.verdicts import RunContext, conclude, judge_output
from operators.common.failures import OperatorError
from operators.engine.chunking import choose_cut, cut
from operators.engine.client import CallLimits, Outcome, Reply, post_chunk
from operators.engine.run import TaskContext, build_form

ACCEPTED_REASON = (
    "the engine answered estimatedProcessingTimeInSeconds, but a chunk engine's result must come "
    "back on the /process call"
)


@dataclass(frozen=True)
class ChunkCall:
    """Where a chunk's call gets its fields: the task, the cacheURI server, the folders."""

    task: TaskContext
    server: TaskServer
    task_tmp_dir: Path
    engine_folder: Path


def run_chunks(context: RunContext, media: Media, call: ChunkCall, workdir: Path) -> None:
    """Cut, post every chunk, judge every answer, merge: rows and failures go to the report."""
    block, report = context.block, context.report
    plan = choose_cut(media.kind, media.path.name, block.Chunking, block.Manifest)
    if plan is None:
        formats = ", ".join(block.Manifest.supportedInputFormats)
        report.fail(
            f"the manifest takes no chunk type of {media.kind} media {media.path.name} "
            f"(supportedInputFormats: {formats}): the platform would skip the operator"
        )
        return
    try:
        pieces = cut(media.path, plan, block.Chunking, workdir)
    except OperatorError as exc:
        report.fail(str(exc))
        return
    chunks = [
        Chunk(index, str(piece.path), plan.mime_type, piece.start_ms, piece.end_ms, piece.width, piece.height)
        for index, piece in enumerate(pieces)
    ]
    if not chunks:
        report.fail(f"the chunker cut no chunks from {media.path.name}")
        return
    limits = CallLimits(block.CallTimeoutSeconds, block.MaxResponseBytes, block.Retry)
    with ThreadPoolExecutor(max_workers=block.effective_concurrency()) as pool:
        replies = list(pool.map(lambda chunk: _send(context, call, chunk, limits), chunks))
    outputs: list[tuple[Chunk, dict[str, Any]]] = []
    for chunk, (reply, elapsed_ms) in zip(chunks, replies, strict=True):
        report.rows.append(_row(context, chunk, reply, elapsed_ms))
        if reply.outcome is Outcome.SUCCESS and isinstance(reply.output, dict):
            outputs.append((chunk, reply.output))
    time_based = len(chunks) > 1 or any(chunk.EndMs > chunk.StartMs for chunk in chunks)
    conclude(context, outputs, time_based=time_based)


def _send(context: RunContext, call: ChunkCall, chunk: Chunk, limits: CallLimits) -> tuple[Reply, int]:
    path = Path(chunk.Key)
    cache_uri = call.server.publish(path, chunk.MimeType)
    fields = build_form(context.block, call.task, chunk, cache_uri, call.task_tmp_dir, call.engine_folder)
    started = time.perf_counter()
    upload = (f"chunk{path.suffix}", path.read_bytes(), chunk.MimeType)
    reply = post_chunk(str(context.block.ProcessUrl), fields, upload, limits)
    return reply, round((time.perf_counter() - started) * 1000)


def _row(context: RunContext, chunk: Chunk, reply: Reply, elapsed_ms: int) -> Row:
    name = f"chunk {chunk.Index}"
    row = Row(name, chunk.StartMs, chunk.EndMs, reply.outcome.value, reply.attempts, elapsed_ms)
    where = f"{name} [{chunk.StartMs}-{chunk.EndMs} ms]"
    tries = f"after {reply.attempts} attempt{'s' if reply.attempts != 1 else ''}"
    if reply.outcome is Outcome.SUCCESS:
        row.series, row.objects = counts(reply.output)
        problems = judge_output(context, where, reply.output)
        row.violations = len(problems)
        row.detail = problems[0] if problems else ""
    elif reply.outcome is Outcome.MEDIA:
        row.detail = f"{reply.content_type}, {len(reply.body)} bytes (kept as a media object)"
    elif reply.outcome is Outcome.ACCEPTED:
        row.status, row.detail = Outcome.ERROR.value, ACCEPTED_REASON
        context.report.fail(f"{where}: {ACCEPTED_REASON}")
    elif reply.outcome is Outcome.ERROR:
        row.detail = reply.error
        context.report.fail(f"{where} failed {tries}: {reply.error}")
    if reply.attempts > 1 and reply.outcome is not Outcome.ERROR:
        row.detail = row.detail or f"retried: {', '.join(reply.statuses)}"
    return row
