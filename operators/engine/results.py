"""The end of a chunk engine's run: count the chunk answers, merge, validate, store, summarise.

Failed chunks beyond `FailedChunkTolerance` fail the operator with the first failure's reason.
Validation (`Validation.Mode`): `off`; `warn` stores the document and reports the problem count
in the workflow metadata; `strict` fails the operator, the reason naming each JSON path.
A document of more than `SERIES_PER_PAGE` series items is stored in pages (the dataplane's
paginated metadata), each page a VTN document with the same header and a slice of the series.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from medialens_helper import DataPlane, MediaInsightsOperationHelper, Status

from api.engines.models import EngineBlock, ValidationMode
from api.engines.plan import Chunk
from operators.common.failures import OperatorError
from operators.common.media import s3_errors
from operators.engine import later
from operators.engine.client import Outcome
from operators.engine.run import Run, get_json
from operators.engine.vtn import contracts_for, merge, transcript_text, validate

SERIES_PER_PAGE = 2000
REASONS_SHOWN = 3


def read_records(s3: Any, run: Run) -> dict[int, dict[str, Any]]:
    """Every chunk's answer record, by chunk index (a repeated call's record replaces the earlier)."""
    records: dict[int, dict[str, Any]] = {}
    with s3_errors("read the chunk results"):
        paginator = s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=run.Bucket, Prefix=run.results_prefix):
            for item in page.get("Contents", []):
                for record in get_json(s3, run.Bucket, item["Key"]):
                    records[int(record["Index"])] = record
    return records


def finish(
    engine: EngineBlock, run: Run, helper: MediaInsightsOperationHelper, s3: Any, dataplane: DataPlane
) -> int | None:
    """Conclude the run; or, while chunks answered later are not all in, the seconds to wait first."""
    with s3_errors("read the chunk plan"):
        chunks = {
            chunk.Index: chunk for chunk in map(Chunk.from_json, get_json(s3, run.Bucket, run.plan_key))
        }
    records = read_records(s3, run)
    missing = sorted(set(chunks) - set(records))
    if missing:
        raise OperatorError(f"{len(missing)} chunks have no answer recorded (first: chunk {missing[0]})")
    wait = later.settle(engine, run, records, s3, time.time())
    if wait is not None:
        return wait
    counts = Counter(record["Outcome"] for record in records.values())
    failed = [records[index] for index in sorted(records) if records[index]["Outcome"] == Outcome.ERROR]
    if len(failed) > engine.FailedChunkTolerance:
        reasons = "; ".join(_failure(chunks[int(r["Index"])], r) for r in failed[:REASONS_SHOWN])
        raise OperatorError(
            f"{len(failed)} of {len(chunks)} chunks failed "
            f"(tolerance {engine.FailedChunkTolerance}): {reasons}"
        )
    outputs = [
        (chunks[index], output)
        for index, record in sorted(records.items())
        if record["Outcome"] == Outcome.SUCCESS
        for output in record.get("Outputs", [record.get("Output")])
        if isinstance(output, dict)
    ]
    time_based = len(chunks) > 1 or any(chunk.EndMs > chunk.StartMs for chunk in chunks.values())
    validation = conclude(engine, helper, dataplane, outputs, time_based=time_based, run=run, s3=s3)
    media = [records[index] for index in sorted(records) if records[index]["Outcome"] == Outcome.MEDIA]
    for record in media[:1]:
        helper.add_media_object(f"{run.Operator}Output", run.Bucket, record["MediaKey"])
    helper.add_workflow_metadata(
        EngineChunksSent=len(records),
        EngineChunksSucceeded=counts[Outcome.SUCCESS.value],
        EngineChunksIgnored=counts[Outcome.IGNORED.value],
        EngineChunksFailed=len(failed),
        EngineMediaObjects=len(media),
        EngineValidation=validation,
    )
    return None


def conclude(
    engine: EngineBlock,
    helper: MediaInsightsOperationHelper,
    dataplane: DataPlane,
    outputs: list[tuple[Chunk, dict[str, Any]]],
    *,
    time_based: bool,
    run: Run | None = None,
    s3: Any = None,
) -> str:
    """Merge, validate, store; the operator `Complete` with its series and object counts.

    With `run` and `s3`, a transcript's words are also written as plain text under the run
    (`transcript.txt`) and output as media `Text`, for the next stage's Text operators (as MIE's
    transcribe operator did). Returns the validation summary; `strict` validation raises
    OperatorError.
    """
    document = merge(outputs, time_based=time_based)
    document.setdefault("sourceEngineName", helper.name)
    contracts = contracts_for(document, engine.Validation.Contracts)
    if contracts and "validationContracts" not in document:
        document["validationContracts"] = contracts
    checked = engine.Validation.Mode is not ValidationMode.OFF
    problems = validate(document, contracts) if checked else []
    if problems and engine.Validation.Mode is ValidationMode.STRICT:
        raise OperatorError(
            f"the engine's output is not valid VTN ({len(problems)} problems): {'; '.join(problems)}"
        )
    _store(dataplane, helper, document)
    text = transcript_text(document)
    if text and run is not None and s3 is not None:
        key = f"{run.Prefix}transcript.txt"
        with s3_errors("store the transcript text"):
            s3.put_object(Bucket=run.Bucket, Key=key, Body=text.encode(), ContentType="text/plain")
        helper.add_media_object("Text", run.Bucket, key)
    helper.add_workflow_metadata(
        EngineSeriesCount=len(document.get("series", [])), EngineObjectCount=len(document.get("object", []))
    )
    helper.update_workflow_status(Status.Complete)
    summary = f"{len(problems)} problems" + (f"; first: {problems[0]}" if problems else "")
    return summary if checked else "not checked"


def _failure(chunk: Chunk, record: dict[str, Any]) -> str:
    span = f"[{chunk.StartMs}-{chunk.EndMs} ms]"
    attempts = int(record["Attempts"])
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    return f"chunk {chunk.Index} {span} after {tries}: {record.get('Error')}"


def _store(dataplane: DataPlane, helper: MediaInsightsOperationHelper, document: dict[str, Any]) -> None:
    series = document.get("series", [])
    args = (helper.asset_id, helper.name, helper.workflow_execution_id)
    if len(series) <= SERIES_PER_PAGE:
        dataplane.store_asset_metadata(*args, document)
        return
    header = {key: value for key, value in document.items() if key != "series"}
    starts = range(0, len(series), SERIES_PER_PAGE)
    for number, start in enumerate(starts):
        page = {**header, "series": series[start : start + SERIES_PER_PAGE]}
        dataplane.store_asset_metadata(*args, page, paginate=True, end=number == len(starts) - 1)
