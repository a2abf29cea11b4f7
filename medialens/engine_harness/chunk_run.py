"""A chunk engine's run: the media cut with the platform's chunker, each chunk posted to `/process`
with the platform's form, client and retry policy, at most `Concurrency` calls at once.

Each chunk is a webhook task of its own, its form carrying `heartbeatWebhook` and `resultWebhook`
(served by the harness): an `{"estimatedProcessingTimeInSeconds": n}` answer is awaited there
(later_run.py). A chunk fails as it fails on the platform (an error after the retries, an answer
over the size limit, an ending on the webhooks that fails); `204` or an empty `200` is an ignored
chunk, another content type a media answer.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.engines.plan import Chunk
from medialens.engine_harness.later_run import Awaited, Later, await_later
from medialens.engine_harness.media import Media
from medialens.engine_harness.report import Row, counts
from medialens.engine_harness.task_server import TaskServer
from medialens.engine_harness.verdicts import RunContext, conclude, judge_output
from operators.common.failures import OperatorError
from operators.engine.chunking import choose_cut, cut
from operators.engine.client import CallLimits, Outcome, Reply, post_chunk
from operators.engine.run import TaskContext, build_form

REFUSALS_SHOWN = 3


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
        sent = list(pool.map(lambda chunk: _send(context, call, chunk, limits), chunks))
    later = await_later(block, [item.awaited for item in sent if item.reply.outcome is Outcome.ACCEPTED])
    outputs: list[tuple[Chunk, dict[str, Any]]] = []
    for item in sent:
        row, answers = _row(context, item, later.get(item.chunk.Index))
        report.rows.append(row)
        outputs.extend((item.chunk, output) for output in answers if isinstance(output, dict))
        for refusal in item.awaited.task.refusals[:REFUSALS_SHOWN]:
            report.fail(f"chunk {item.chunk.Index}: {refusal}")
    time_based = len(chunks) > 1 or any(chunk.EndMs > chunk.StartMs for chunk in chunks)
    conclude(context, outputs, time_based=time_based)


@dataclass(frozen=True)
class Sent:
    """A chunk's call: its reply, how long it took, and its webhook task."""

    chunk: Chunk
    reply: Reply
    elapsed_ms: int
    awaited: Awaited


def _send(context: RunContext, call: ChunkCall, chunk: Chunk, limits: CallLimits) -> Sent:
    path = Path(chunk.Key)
    cache_uri = call.server.publish(path, chunk.MimeType)
    fields = build_form(context.block, call.task, chunk, cache_uri, call.task_tmp_dir, call.engine_folder)
    task, heartbeat, result = call.server.open_task(context.block.MaxTTLSeconds)
    fields.update(heartbeatWebhook=heartbeat, resultWebhook=result)
    started = time.perf_counter()
    upload = (f"chunk{path.suffix}", path.read_bytes(), chunk.MimeType)
    reply = post_chunk(str(context.block.ProcessUrl), fields, upload, limits)
    elapsed_ms = round((time.perf_counter() - started) * 1000)
    return Sent(chunk, reply, elapsed_ms, Awaited(chunk.Index, task, time.monotonic()))


def _row(context: RunContext, sent: Sent, later: Later | None) -> tuple[Row, list[Any]]:
    """The chunk's row (its failure, if any, reported) and its outputs."""
    chunk, reply = sent.chunk, sent.reply
    name = f"chunk {chunk.Index}"
    row = Row(name, chunk.StartMs, chunk.EndMs, reply.outcome.value, reply.attempts, sent.elapsed_ms)
    where = f"{name} [{chunk.StartMs}-{chunk.EndMs} ms]"
    tries = f"after {reply.attempts} attempt{'s' if reply.attempts != 1 else ''}"
    outputs: list[Any] = [reply.output] if reply.outcome is Outcome.SUCCESS else []
    if later is not None:  # answered later: its ending on the webhooks is its outcome
        row.status, row.timeMs = later.outcome.value, sent.elapsed_ms + later.waited_ms
        row.detail = f"answered later ({later.waited_ms} ms after the call)"
        outputs = later.outputs
        if later.outcome is Outcome.ERROR:
            row.detail = f"answered later: {later.error}"
            context.report.fail(f"{where} answered later and failed: {later.error}")
    elif reply.outcome is Outcome.MEDIA:
        row.detail = f"{reply.content_type}, {len(reply.body)} bytes (kept as a media object)"
    elif reply.outcome is Outcome.ERROR:
        row.detail = reply.error
        context.report.fail(f"{where} failed {tries}: {reply.error}")
    problems = [problem for output in outputs for problem in judge_output(context, where, output)]
    row.violations = len(problems)
    row.detail = problems[0] if problems else row.detail
    row.series = sum(counts(output)[0] for output in outputs)
    row.objects = sum(counts(output)[1] for output in outputs)
    if reply.attempts > 1 and reply.outcome is not Outcome.ERROR:
        row.detail = row.detail or f"retried: {', '.join(reply.statuses)}"
    return row, outputs
