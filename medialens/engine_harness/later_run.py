"""Chunks a chunk engine answers later, awaited as the platform awaits them (operators/engine/later.py).

An engine may answer a chunk `{"estimatedProcessingTimeInSeconds": n}` and post its result to the
chunk's own `resultWebhook` afterwards. Each such chunk ends, as merge settles it on the platform:

    a result on the webhook                 SUCCESS, every result posted so far is the chunk's output
    a `failed` heartbeat                    ERROR "<failureReason>: <failureMsg>"
    a `complete` heartbeat, no result       IGNORED
    nothing within maxTTL of the call       ERROR "no result on the result webhook within N s (maxTTL)"

The harness looks every 0.1 s rather than after the estimate, so a run takes no longer than the
engine does; the wait is bounded by `MaxTTLSeconds`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from api.engines.models import EngineBlock
from api.engines.tasks import HeartbeatStatus
from medialens.engine_harness.task_server import Task
from operators.engine.client import Outcome

POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Later:
    """How a chunk answered later ended; `waited_ms` from the end of its call."""

    outcome: Outcome
    waited_ms: int
    outputs: list[Any] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True)
class Awaited:
    """A chunk whose call answered `estimatedProcessingTimeInSeconds`: its task, when (monotonic)."""

    index: int
    task: Task
    accepted_at: float


def await_later(engine: EngineBlock, awaited: list[Awaited]) -> dict[int, Later]:
    """Each awaited chunk's ending, by chunk index; returns once all have ended (maxTTL at most)."""
    settled: dict[int, Later] = {}
    while True:
        now = time.monotonic()
        for chunk in awaited:
            if chunk.index not in settled:
                ending = _ending(engine, chunk, now)
                if ending is not None:
                    settled[chunk.index] = ending
        if len(settled) == len(awaited):
            return settled
        time.sleep(POLL_SECONDS)


def _ending(engine: EngineBlock, chunk: Awaited, now: float) -> Later | None:
    _, beat = chunk.task.last_heartbeat()
    results = list(chunk.task.results)
    waited = round((now - chunk.accepted_at) * 1000)
    status = beat.get("status") if beat else None
    if status == HeartbeatStatus.FAILED and beat is not None:
        reason = f"{beat.get('failureReason')}: {beat.get('failureMsg') or 'no message'}"
        return Later(Outcome.ERROR, waited, error=reason)
    if results:
        return Later(Outcome.SUCCESS, waited, outputs=[result["output"] for result in results])
    if status == HeartbeatStatus.COMPLETE:
        return Later(Outcome.IGNORED, waited)
    if now >= chunk.accepted_at + engine.MaxTTLSeconds:
        error = f"no result on the result webhook within {engine.MaxTTLSeconds} s (maxTTL)"
        return Later(Outcome.ERROR, waited, error=error)
    return None
