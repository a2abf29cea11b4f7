"""Chunks a chunk engine answers later: `{"estimatedProcessingTimeInSeconds": n}` on the call, then
the result on that chunk's result webhook (seed 000: the engine "should submit results of the
processing as soon as it could").

Each chunk is a webhook task of its own (`Run.task_prefix`), so the webhooks store its heartbeats
and results where merge finds them. `settle` turns each `ACCEPTED` record into its ending:

    a result on the webhook                 SUCCESS, every result posted so far is the chunk's output
    a `failed` heartbeat                    ERROR "<failureReason>: <failureMsg>"
    a `complete` heartbeat, no result       IGNORED
    nothing yet, within maxTTL of the call  still waiting: merge answers how long to wait
    nothing, past maxTTL                    ERROR "no result on the result webhook within N s"

Nothing is written: every merge reads the webhooks' files again, so waiting is a Wait state and
another merge, not a state kept anywhere.
"""

from __future__ import annotations

import re
from typing import Any

from api.engines import tasks
from api.engines.models import EngineBlock
from operators.common.media import s3_errors
from operators.engine.client import Outcome
from operators.engine.run import Run, get_json

MIN_WAIT_SECONDS = 2
MAX_WAIT_SECONDS = 60  # an estimate is a hint: look again at least every minute
_TASK_FILE = re.compile(r"^(\d{6})/(heartbeat\.json|results/webhook-[0-9a-f]+\.json)$")


def settle(
    engine: EngineBlock, run: Run, records: dict[int, dict[str, Any]], s3: Any, now: float
) -> int | None:
    """Replace each settled `ACCEPTED` record; the seconds to wait while any is not settled, else None."""
    accepted = [index for index, record in records.items() if record["Outcome"] == Outcome.ACCEPTED]
    if not accepted:
        return None
    files = _webhook_files(s3, run)
    waits: list[float] = []
    for index in accepted:
        record = records[index]
        found = files.get(index, {})
        with s3_errors(f"read chunk {index}'s webhook results"):
            beat = get_json(s3, run.Bucket, found["heartbeat"][0]) if "heartbeat" in found else {}
            results = [get_json(s3, run.Bucket, key) for key in sorted(found.get("results", []))]
        status = beat.get("status")
        if status == tasks.HeartbeatStatus.FAILED:
            reason = f"{beat.get('failureReason')}: {beat.get('failureMsg') or 'no message'}"
            records[index] = {**record, "Outcome": Outcome.ERROR.value, "Error": reason}
        elif results:
            outputs = [result["output"] for result in results]
            records[index] = {**record, "Outcome": Outcome.SUCCESS.value, "Outputs": outputs}
        elif status == tasks.HeartbeatStatus.COMPLETE:
            records[index] = {**record, "Outcome": Outcome.IGNORED.value}
        elif now >= float(record["AcceptedAt"]) + engine.MaxTTLSeconds:
            error = f"no result on the result webhook within {engine.MaxTTLSeconds} s (maxTTL)"
            records[index] = {**record, "Outcome": Outcome.ERROR.value, "Error": error}
        else:
            accepted_at = float(record["AcceptedAt"])
            due = accepted_at + _seconds(record.get("EstimatedSeconds"))
            # Look again when the first chunk is due, and never after a chunk's maxTTL has passed.
            waits.append(min(due, accepted_at + engine.MaxTTLSeconds) - now)
    if not waits:
        return None
    return int(min(MAX_WAIT_SECONDS, max(MIN_WAIT_SECONDS, min(waits))))


def _seconds(estimate: Any) -> float:
    """The engine's estimate, or 0 when it gave none that makes sense."""
    valid = isinstance(estimate, int | float) and not isinstance(estimate, bool) and estimate >= 0
    return float(estimate) if valid else 0.0


def _webhook_files(s3: Any, run: Run) -> dict[int, dict[str, list[str]]]:
    """Chunk index -> {"heartbeat": [key], "results": [keys]} as the webhooks stored them."""
    found: dict[int, dict[str, list[str]]] = {}
    with s3_errors("list the chunks' webhook results"):
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=run.Bucket, Prefix=run.tasks_prefix)
        for page in pages:
            for item in page.get("Contents", []):
                matched = _TASK_FILE.match(str(item["Key"])[len(run.tasks_prefix) :])
                if matched is None:
                    continue  # the task records
                kind = "heartbeat" if matched.group(2) == "heartbeat.json" else "results"
                found.setdefault(int(matched.group(1)), {}).setdefault(kind, []).append(str(item["Key"]))
    return found
