"""One Map item's work: post a batch's chunks to `/process` with a pool of threads, store the answers.

A call stops taking new chunks when the Lambda's remaining time could not hold one more full
attempt (`CallTimeoutSeconds` plus a margin), and no attempt runs past the invocation's end: a
chunk the end cuts short is deferred, not failed. The call answers `Next` (the first chunk of the
batch without an answer) and `Done`; the machine calls again for the rest. Answers already stored
beyond `Next` are sent again and replaced, never counted twice.

With the platform's webhooks (`ENGINE_WEBHOOK_ENDPOINT`), each chunk is its own webhook task
(`Run.task_prefix`) and its form carries `heartbeatWebhook` and `resultWebhook`: an engine that
answers `{"estimatedProcessingTimeInSeconds": n}` posts the chunk's result there later, and the
record says `ACCEPTED` (when, and the estimate) for merge to wait on (operators/engine/later.py).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from api.engines.models import EngineBlock
from api.engines.plan import Chunk
from operators.common.media import s3_errors
from operators.engine.client import CallLimits, Outcome, Reply, post_chunk
from operators.engine.run import (
    PRESIGN_SECONDS,
    Run,
    get_json,
    open_task,
    process_form,
    put_json,
    webhook_endpoint,
)

MARGIN_SECONDS = 10.0


def send_batch(engine: EngineBlock, run: Run, batch: dict[str, Any], s3: Any, context: Any) -> dict[str, Any]:
    """Answers the batch with `Next` and `Done` updated; the results go to S3 (run.results_key)."""
    with s3_errors("read the chunk plan"):
        everything = [Chunk.from_json(item) for item in get_json(s3, run.Bucket, run.plan_key)]
    first, end = int(batch["Next"]), int(batch["First"]) + int(batch["Count"])
    pending = everything[first:end]
    need = engine.CallTimeoutSeconds + MARGIN_SECONDS
    deadline = time.monotonic() + _remaining_seconds(context) - MARGIN_SECONDS / 2
    limits = CallLimits(engine.CallTimeoutSeconds, engine.MaxResponseBytes, engine.Retry)
    records: list[dict[str, Any]] = []
    task_tmp = Path(tempfile.mkdtemp(prefix=f"medialens-task-{run.Operator}-"))
    try:
        with ThreadPoolExecutor(max_workers=run.Threads) as pool:
            running: set[Future[dict[str, Any]]] = set()
            for submitted, chunk in enumerate(pending):
                if submitted and _remaining_seconds(context) < need:
                    break
                while len(running) >= run.Threads:
                    finished, running = wait(running, return_when=FIRST_COMPLETED)
                    records.extend(future.result() for future in finished)
                running.add(pool.submit(_send_one, engine, run, chunk, s3, limits, task_tmp, deadline))
            records.extend(future.result() for future in wait(running).done)
    finally:
        shutil.rmtree(task_tmp, ignore_errors=True)  # taskTmpDir lives as long as the task
    answered = {int(record["Index"]) for record in records if record["Outcome"] != Outcome.DEFERRED}
    with s3_errors("store the chunk results"):
        kept = [record for record in records if record["Outcome"] != Outcome.DEFERRED]
        put_json(s3, run.Bucket, run.results_key(int(batch["Index"]), first), kept)
    batch["Next"] = next((index for index in range(first, end) if index not in answered), end)
    batch["Done"] = batch["Next"] >= end
    return batch


def _remaining_seconds(context: Any) -> float:
    """The invocation's time left; a day when there is no Lambda context (a direct call)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining() / 1000 if callable(remaining) else 86_400.0


def _send_one(
    engine: EngineBlock, run: Run, chunk: Chunk, s3: Any, limits: CallLimits, task_tmp: Path, deadline: float
) -> dict[str, Any]:
    with s3_errors(f"read chunk {chunk.Index}"):
        data = s3.get_object(Bucket=run.Bucket, Key=chunk.Key)["Body"].read()
        cache_uri = s3.generate_presigned_url(
            "get_object", Params={"Bucket": run.Bucket, "Key": chunk.Key}, ExpiresIn=PRESIGN_SECONDS
        )
    fields = process_form(engine, run, chunk, cache_uri, task_tmp)
    endpoint = webhook_endpoint()
    if endpoint is not None:  # the chunk's own task: its result may come on the webhook instead
        with s3_errors(f"store chunk {chunk.Index}'s webhook task"):
            heartbeat, result = open_task(s3, run.Bucket, run.task_prefix(chunk.Index), engine, endpoint)
        fields.update(heartbeatWebhook=heartbeat, resultWebhook=result)
    name = f"chunk{Path(chunk.Key).suffix}"
    reply = post_chunk(
        str(engine.ProcessUrl), fields, (name, data, chunk.MimeType), limits, deadline=deadline
    )
    return _record(run, chunk, reply, s3, webhooks=endpoint is not None)


def _record(run: Run, chunk: Chunk, reply: Reply, s3: Any, *, webhooks: bool) -> dict[str, Any]:
    record: dict[str, Any] = {
        "Index": chunk.Index,
        "Outcome": reply.outcome.value,
        "Attempts": reply.attempts,
    }
    if reply.outcome is Outcome.SUCCESS:
        record["Output"] = reply.output
    elif reply.outcome is Outcome.MEDIA:
        key = run.media_key(chunk.Index)
        with s3_errors(f"store the answer to chunk {chunk.Index}"):
            s3.put_object(Bucket=run.Bucket, Key=key, Body=reply.body, ContentType=reply.content_type)
        record.update(MediaKey=key, ContentType=reply.content_type)
    elif reply.outcome is Outcome.ACCEPTED and webhooks:  # merge waits for the result webhook
        estimate = (reply.output or {}).get("estimatedProcessingTimeInSeconds")
        record.update(AcceptedAt=time.time(), EstimatedSeconds=estimate)
    elif reply.outcome is Outcome.ACCEPTED:
        record.update(
            Outcome=Outcome.ERROR.value,
            Error="the engine answered estimatedProcessingTimeInSeconds, but this deployment serves "
            "no engine webhooks (ENGINE_WEBHOOK_ENDPOINT) for its result",
        )
    elif reply.outcome is Outcome.ERROR:
        record["Error"] = reply.error
    return record
