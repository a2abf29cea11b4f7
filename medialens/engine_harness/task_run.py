"""A stream or batch engine's task, run as the platform runs it (operators/engine/tasks.py).

`/process` is posted once, without a chunk file: `cacheURI` serves the whole media, the form carries
the task's `heartbeatWebhook` and `resultWebhook` (a secret in each URL). An
`{"estimatedProcessingTimeInSeconds": n}` answer starts the wait: the task ends at a `complete`
heartbeat (the results merged), at a `failed` one (`"<failureReason>: <failureMsg>"`), after
`HeartbeatTimeoutSeconds` without a heartbeat (`heartbeat_timeout`) or at `MaxTTLSeconds`
(`past maxTTL`). A JSON answer is the result at once.
"""

from __future__ import annotations

import time
from typing import Any

from api.engines.plan import Chunk
from api.engines.tasks import HeartbeatStatus
from medialens.engine_harness.chunk_run import ChunkCall
from medialens.engine_harness.media import Media
from medialens.engine_harness.report import Row, counts
from medialens.engine_harness.task_server import Task
from medialens.engine_harness.verdicts import RunContext, conclude, judge_output
from operators.engine.client import CallLimits, Outcome, post_chunk
from operators.engine.run import build_form
from operators.engine.tasks import START_CALL_TIMEOUT_SECONDS, time_based

WAIT_POLL_SECONDS = 0.1
REFUSALS_SHOWN = 3


def run_task(context: RunContext, media: Media, call: ChunkCall) -> None:
    """Post the task, wait for its end, judge its results: rows and failures go to the report."""
    block, report = context.block, context.report
    if not block.Manifest.supports(media.mime_type):
        formats = ", ".join(block.Manifest.supportedInputFormats)
        report.fail(
            f"the manifest does not support {media.mime_type} (supportedInputFormats: {formats}): "
            "the platform would skip the operator"
        )
        return
    cache_uri = call.server.publish(media.path, media.mime_type)
    task, heartbeat_url, result_url = call.server.open_task(block.MaxTTLSeconds)
    whole = Chunk(0, str(media.path), media.mime_type, 0, 0)
    fields = build_form(block, call.task, whole, cache_uri, call.task_tmp_dir, call.engine_folder)
    fields.update(heartbeatWebhook=heartbeat_url, resultWebhook=result_url)
    limits = CallLimits(
        min(block.CallTimeoutSeconds, START_CALL_TIMEOUT_SECONDS), block.MaxResponseBytes, block.Retry
    )
    started = time.monotonic()
    reply = post_chunk(str(block.ProcessUrl), fields, None, limits)
    row = Row("task", 0, 0, reply.outcome.value, reply.attempts)
    report.rows.append(row)
    outputs: list[tuple[Chunk, dict[str, Any]]] = []
    if reply.outcome is Outcome.ERROR:
        row.detail = reply.error
        report.fail(f"/process failed after {reply.attempts} attempts: {reply.error}")
    elif reply.outcome is Outcome.ACCEPTED:
        status, reason = _wait(context, task, started)
        row.status, row.detail = status, reason or _info(task)
        if reason:
            report.fail(reason)
    elif reply.outcome is Outcome.SUCCESS:
        row.status, row.detail = HeartbeatStatus.COMPLETE.name, "answered on the /process call"
        if isinstance(reply.output, dict):
            outputs.append((whole, reply.output))
    row.timeMs = round((time.monotonic() - started) * 1000)
    outputs.extend(_results(context, task))
    for refusal in task.refusals[:REFUSALS_SHOWN]:
        report.fail(refusal)
    report.task = {
        "heartbeats": len(task.heartbeats),
        "results": len(task.results),
        "repeatedResults": task.repeated_results,
        "refusedCalls": len(task.refusals),
        "callsPastMaxTTL": task.late_calls,
        "lastHeartbeat": task.heartbeats[-1] if task.heartbeats else None,
    }
    row.series = sum(counts(output)[0] for _, output in outputs)
    conclude(context, outputs, time_based=time_based(outputs))


def _wait(context: RunContext, task: Task, started: float) -> tuple[str, str]:
    """(final status, failure reason or "") of an accepted task; bounded by MaxTTLSeconds."""
    block = context.block
    deadline = started + block.MaxTTLSeconds
    while True:
        at, beat = task.last_heartbeat()
        status = beat.get("status") if beat else None
        if status == HeartbeatStatus.COMPLETE:
            return HeartbeatStatus.COMPLETE.name, ""
        if status == HeartbeatStatus.FAILED and beat is not None:
            message = beat.get("failureMsg") or "no message"
            return HeartbeatStatus.FAILED.name, f"heartbeat failed: {beat.get('failureReason')}: {message}"
        now = time.monotonic()
        if now >= deadline:
            return "TIMED OUT", f"past maxTTL: no complete heartbeat within {block.MaxTTLSeconds} s"
        if now - (at or started) > block.HeartbeatTimeoutSeconds:
            return "TIMED OUT", f"heartbeat_timeout: no heartbeat for {block.HeartbeatTimeoutSeconds} s"
        time.sleep(WAIT_POLL_SECONDS)


def _info(task: Task) -> str:
    _, beat = task.last_heartbeat()
    info = beat.get("infoMsg") if beat else None
    return f"{len(task.heartbeats)} heartbeats" + (f"; last infoMsg: {info}" if info else "")


def _results(context: RunContext, task: Task) -> list[tuple[Chunk, dict[str, Any]]]:
    """Every distinct result the webhook kept, judged and put in the report, as (span, output)."""
    outputs = []
    for index, result in enumerate(task.results):
        start = int(result.get("startOffsetMs", 0))
        end = max(start, int(result.get("endOffsetMs", 0)))
        name = f"result {index}"
        row = Row(name, start, end, "RESULT")
        row.series, row.objects = counts(result["output"])
        problems = judge_output(context, f"{name} [{start}-{end} ms]", result["output"])
        row.violations, row.detail = len(problems), problems[0] if problems else ""
        context.report.rows.append(row)
        outputs.append((Chunk(index, "", "application/json", start, end), result["output"]))
    return outputs
