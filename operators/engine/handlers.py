"""The generated operator of a chunk engine: three Lambda handlers the workflow's machine calls.

Each gets the operation's `Engine` block (a JSON string the generator wrote into the machine, see
api/engines/machine.py), so one deployment of these functions serves every registered engine.

- `prepare({"Engine", "Event"})` → the operator event with `Status` `Started` plus `EngineRun` and
  `EngineBatches`, or `Skipped` (the manifest does not take this media), or a failure.
- `chunks({"Engine", "EngineRun", "Batch"})` → the batch with `Next` moved on and `Done`.
- `merge({"Engine", "Event"})` → the operator's MIE output: `Complete`, or a failure; while chunks
  answered later (on their result webhooks) are not all in, the event still `Started` with
  `EngineWaitSeconds`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from medialens_helper import MediaInsightsOperationHelper, Status

from api.engines import plan
from api.engines.contract import BATCH_KEY, BATCHES_KEY, ENGINE_KEY, EVENT_KEY, RUN_KEY, WAIT_KEY
from api.engines.models import EngineBlock
from operators.common.failures import OperatorError, failures_reported
from operators.common.media import download, input_media, s3_errors
from operators.common.services import OperatorServices
from operators.engine import calls, results
from operators.engine.chunking import choose_cut, cut, frames_at_rate, probe
from operators.engine.client import EngineError, wait_ready
from operators.engine.run import Run, chunk_metadata, put_json, run_prefix


def _engine(event: Mapping[str, Any]) -> EngineBlock:
    return EngineBlock.model_validate_json(event[ENGINE_KEY])


def prepare(event: dict[str, Any], context: Any, services: OperatorServices | None = None) -> dict[str, Any]:
    engine = _engine(event)
    helper = MediaInsightsOperationHelper(event[EVENT_KEY])
    services = services or OperatorServices()
    with failures_reported(helper):
        kind = str(helper.configuration.get("MediaType", ""))
        source = input_media(helper, kind)
        how = choose_cut(kind, source.key, engine.Chunking, engine.Manifest)
        if how is None:
            helper.add_workflow_metadata(
                SkipReason=f"the engine's manifest supports none of the chunk types of {kind} media "
                f"(supportedInputFormats: {', '.join(engine.Manifest.supportedInputFormats)})"
            )
            helper.update_workflow_status(Status.Skipped)
            return helper.return_output_object()
        try:
            wait_ready(str(engine.ReadyUrl), engine.ReadyTimeoutSeconds)
        except EngineError as exc:
            raise OperatorError(str(exc)) from exc
        run = open_run(engine, helper, services, threads=plan.threads(engine.effective_concurrency()))
        s3 = services.s3()
        with tempfile.TemporaryDirectory(prefix="medialens-engine-") as workdir:
            media = download(s3, source, Path(workdir))
            pieces = cut(media, how, engine.Chunking, Path(workdir))
            if not pieces:
                raise OperatorError(f"the {kind} media gave no chunks (empty, or every frame skipped)")
            if how.method == "frames" and engine.Chunking.selects_frames:
                at_rate = frames_at_rate(probe(media)[0], engine.Chunking.FramesPerSecond)
                helper.add_workflow_metadata(
                    EngineFramesSelected=len(pieces), EngineFramesSkipped=max(0, at_rate - len(pieces))
                )
            chunks = []
            for index, piece in enumerate(pieces):
                key = run.chunk_key(index, how.suffix)
                with s3_errors(f"upload chunk {index}"):
                    s3.upload_file(str(piece.path), run.Bucket, key, ExtraArgs={"ContentType": how.mime_type})
                chunks.append(
                    plan.Chunk(
                        index, key, how.mime_type, piece.start_ms, piece.end_ms, piece.width, piece.height
                    )
                )
        with s3_errors("store the chunk plan"):
            put_json(s3, run.Bucket, run.plan_key, [chunk.to_json() for chunk in chunks])
        helper.update_workflow_status(Status.Started)
        output = helper.return_output_object()
        output[RUN_KEY] = run.to_json()
        output[BATCHES_KEY] = plan.batches(len(chunks), engine.effective_concurrency())
        return output


def open_run(
    engine: EngineBlock, helper: MediaInsightsOperationHelper, services: OperatorServices, *, threads: int = 1
) -> Run:
    """This operator's run in this execution, under the media path the dataplane gives it."""
    storage = services.dataplane().generate_media_storage_path(helper.asset_id, helper.workflow_execution_id)
    return Run(
        Bucket=str(storage["S3Bucket"]),
        Prefix=run_prefix(str(storage["S3Key"]), helper.name),
        Operator=helper.name,
        AssetId=helper.asset_id,
        ExecutionId=helper.workflow_execution_id,
        Threads=threads,
        Payload=payload_for(engine, helper.configuration),
        ChunkMetadata=chunk_metadata(helper.input.get("MetaData")),
    )


def payload_for(engine: EngineBlock, configuration: Mapping[str, Any]) -> dict[str, Any]:
    """The registered payload with the execution's `Configuration.Payload` applied key by key."""
    override = configuration.get("Payload")
    if override is not None and not isinstance(override, dict):
        raise OperatorError("Configuration.Payload must be an object")
    return {**engine.Payload, **(override or {})}


def chunks(event: dict[str, Any], context: Any, services: OperatorServices | None = None) -> dict[str, Any]:
    """Send the batch's chunks from `Next` on; stop early (`Done: false`) when time runs short."""
    engine = _engine(event)
    run = Run.from_json(event[RUN_KEY])
    batch = dict(event[BATCH_KEY])
    services = services or OperatorServices()
    return calls.send_batch(engine, run, batch, services.s3(), context)


def merge(event: dict[str, Any], context: Any, services: OperatorServices | None = None) -> dict[str, Any]:
    """The operator's output; or, while chunks answered later are not all in, the event still
    `Started` with `EngineWaitSeconds` (the machine waits that long and merges again)."""
    engine = _engine(event)
    operator_event = dict(event[EVENT_KEY])
    run = Run.from_json(operator_event.pop(RUN_KEY))
    operator_event.pop(BATCHES_KEY, None)
    operator_event.pop(WAIT_KEY, None)
    helper = MediaInsightsOperationHelper(operator_event)
    services = services or OperatorServices()
    with failures_reported(helper):
        wait = results.finish(engine, run, helper, services.s3(), services.dataplane())
        if wait is not None:
            return {**operator_event, RUN_KEY: run.to_json(), WAIT_KEY: wait}
    return helper.return_output_object()
