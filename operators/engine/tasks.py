"""The generated operator of a stream or batch engine: started once, finished on the engine's callback.

- `start({"Engine", "Event", "TaskToken"})` (invoked with `.waitForTaskToken`): unsupported media
  → `SendTaskSuccess({"Skipped": reason})`; polls Ready; writes the task record (secret digest,
  task token, maxTTL) and posts `/process` once, without a chunk file: `cacheURI` is a presigned
  GET of the whole input, `heartbeatWebhook` / `resultWebhook` carry the task's secret. An
  `{"estimatedProcessingTimeInSeconds": n}` answer leaves the machine waiting for the webhooks; a
  JSON answer is the result at once (recorded, then `SendTaskSuccess`); a failed call → failure.
- `finish({"Engine", "Event", "Callback"})`: reads the last heartbeat: `complete` → the results
  merged, validated, stored (`Complete`); `failed` → failure `"<failureReason>: <failureMsg>"`;
  after a timeout, `heartbeat_timeout` or past `maxTTL`, whichever it was.
"""

from __future__ import annotations

import json
import mimetypes
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError
from medialens_helper import MediaInsightsOperationHelper, Status

from api.engines import tasks
from api.engines.contract import ENGINE_KEY, EVENT_KEY, TOKEN_KEY
from api.engines.models import EngineBlock
from api.engines.plan import Chunk
from operators.common.failures import OperatorError, failures_reported
from operators.common.media import input_media, s3_errors
from operators.common.services import OperatorServices
from operators.engine.client import CallLimits, EngineError, Outcome, post_chunk, wait_ready
from operators.engine.handlers import open_run
from operators.engine.results import conclude
from operators.engine.run import (
    PRESIGN_SECONDS,
    Run,
    get_json,
    open_task,
    process_form,
    put_json,
    webhook_endpoint,
)

SKIPPED_KEY = "Skipped"
START_CALL_TIMEOUT_SECONDS = 60  # an async engine answers /process at once; the work comes later


def start(event: dict[str, Any], context: Any, services: OperatorServices | None = None) -> dict[str, Any]:
    engine = EngineBlock.model_validate_json(event[ENGINE_KEY])
    helper = MediaInsightsOperationHelper(event[EVENT_KEY])
    token = str(event[TOKEN_KEY])
    services = services or OperatorServices()
    with failures_reported(helper):
        kind = str(helper.configuration.get("MediaType", ""))
        source = input_media(helper, kind)
        mime = mimetypes.guess_type(source.key)[0] or f"{kind.lower()}/*"
        run = open_run(engine, helper, services)
        if not engine.Manifest.supports(mime):
            reason = (
                f"the engine's manifest does not support {mime} "
                f"(supportedInputFormats: {', '.join(engine.Manifest.supportedInputFormats)})"
            )
            with s3_errors("store the engine task"):
                put_json(services.s3(), run.Bucket, tasks.task_key(run.Prefix), {SKIPPED_KEY: reason})
            _callback(services, token, {SKIPPED_KEY: reason})
            return {SKIPPED_KEY: reason}
        try:
            wait_ready(str(engine.ReadyUrl), engine.ReadyTimeoutSeconds)
        except EngineError as exc:
            raise OperatorError(str(exc)) from exc
        endpoint = webhook_endpoint()
        if not endpoint:
            raise OperatorError("this deployment serves no engine webhooks (ENGINE_WEBHOOK_ENDPOINT)")
        s3 = services.s3()
        with s3_errors("store the engine task"):
            heartbeat, result = open_task(s3, run.Bucket, run.Prefix, engine, endpoint, token)
            cache_uri = s3.generate_presigned_url(
                "get_object", Params={"Bucket": source.bucket, "Key": source.key}, ExpiresIn=PRESIGN_SECONDS
            )
        whole = Chunk(0, source.key, mime, 0, 0)
        with tempfile.TemporaryDirectory(prefix="medialens-task-") as task_tmp:
            fields = process_form(engine, run, whole, cache_uri, Path(task_tmp))
            fields.update(heartbeatWebhook=heartbeat, resultWebhook=result)
            limits = CallLimits(
                min(engine.CallTimeoutSeconds, START_CALL_TIMEOUT_SECONDS),
                engine.MaxResponseBytes,
                engine.Retry,
            )
            reply = post_chunk(str(engine.ProcessUrl), fields, None, limits)
        if reply.outcome is Outcome.ERROR:
            raise OperatorError(f"/process failed after {reply.attempts} attempts: {reply.error}")
        if reply.outcome is not Outcome.ACCEPTED:  # answered at once: the result, and done
            if reply.outcome is Outcome.SUCCESS and isinstance(reply.output, dict):
                raw = json.dumps({"output": reply.output}, sort_keys=True).encode()
                s3.put_object(Bucket=run.Bucket, Key=tasks.result_key(run.Prefix, raw), Body=raw)
            done = {"status": tasks.HeartbeatStatus.COMPLETE.value, "at": time.time()}
            put_json(s3, run.Bucket, tasks.heartbeat_key(run.Prefix), done)
            _callback(services, token, {"status": done["status"]})
        return {"Accepted": reply.outcome is Outcome.ACCEPTED}


def _callback(services: OperatorServices, token: str, output: dict[str, Any]) -> None:
    client = (services.session or boto3.session.Session()).client("stepfunctions")
    client.send_task_success(taskToken=token, output=json.dumps(output))


def finish(event: dict[str, Any], context: Any, services: OperatorServices | None = None) -> dict[str, Any]:
    engine = EngineBlock.model_validate_json(event[ENGINE_KEY])
    helper = MediaInsightsOperationHelper(event[EVENT_KEY])
    services = services or OperatorServices()
    with failures_reported(helper):
        run = open_run(engine, helper, services)
        s3 = services.s3()
        with s3_errors("read the engine task"):
            record = get_json(s3, run.Bucket, tasks.task_key(run.Prefix))
            beat = _optional_json(s3, run.Bucket, tasks.heartbeat_key(run.Prefix)) or {}
        if SKIPPED_KEY in record:  # the start step found media the engine does not take
            helper.add_workflow_metadata(SkipReason=str(record[SKIPPED_KEY]))
            helper.update_workflow_status(Status.Skipped)
            return helper.return_output_object()
        status = beat.get("status")
        if status == tasks.HeartbeatStatus.FAILED:
            raise OperatorError(f"{beat.get('failureReason')}: {beat.get('failureMsg') or 'no message'}")
        if status == tasks.HeartbeatStatus.COMPLETE:
            results = _results(s3, run)
            summary = conclude(
                engine, helper, services.dataplane(), results, time_based=time_based(results), run=run, s3=s3
            )
            helper.add_workflow_metadata(EngineValidation=summary, EngineInfo=beat.get("infoMsg"))
            return helper.return_output_object()
        if time.time() >= record["ExpiresAt"] - 1:
            raise OperatorError(f"past maxTTL: no complete heartbeat within {engine.MaxTTLSeconds} s")
        raise OperatorError(f"heartbeat_timeout: no heartbeat for {record['HeartbeatTimeoutSeconds']} s")


def _optional_json(s3: Any, bucket: str, key: str) -> dict[str, Any] | None:
    try:
        document = get_json(s3, bucket, key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise
    return document if isinstance(document, dict) else None


def time_based(results: list[tuple[Chunk, dict[str, Any]]]) -> bool:
    """Whether the results describe spans of the media: some result has `endOffsetMs` after its
    `startOffsetMs`. A batch engine's results without a span describe the whole media, so their
    `object` entries stay whole-media objects (the keyword contract requires a root `object`)
    rather than becoming series items."""
    return any(chunk.EndMs > chunk.StartMs for chunk, _ in results)


def _results(s3: Any, run: Run) -> list[tuple[Chunk, dict[str, Any]]]:
    """Every result the webhook stored, as (its span, its VTN output)."""
    outputs: list[tuple[Chunk, dict[str, Any]]] = []
    with s3_errors("read the engine's results"):
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=run.Bucket, Prefix=run.results_prefix)
        keys = sorted(item["Key"] for page in pages for item in page.get("Contents", []))
        for index, key in enumerate(keys):
            result = get_json(s3, run.Bucket, key)
            start, end = int(result.get("startOffsetMs", 0)), int(result.get("endOffsetMs", 0))
            outputs.append((Chunk(index, key, "application/json", start, max(start, end)), result["output"]))
    return outputs
