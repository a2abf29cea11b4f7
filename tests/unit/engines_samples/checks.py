"""Assertions shared by the sample engines' tests."""

from __future__ import annotations

import itertools
from typing import Any

from engines.catalog import sample_engine
from operators.engine.vtn import validate
from tests.unit.engines_samples.running import RunningEngine, TaskRecord, ToolkitSide

HEARTBEAT_FIELDS = {"status", "bytesRead", "bytesWritten", "messagesWritten", "infoMsg"}


def assert_strict_valid(name: str, document: dict[str, Any]) -> None:
    """Valid VTN against AION and every contract the engine's manifest declares (strict mode)."""
    contracts = sample_engine(name).manifest()["validationContracts"]
    assert validate(document, contracts) == [], document


def assert_completed(record: TaskRecord) -> None:
    """Running heartbeats, then one `complete` (the last), each with the toolkit's counters."""
    statuses = [beat["status"] for _, beat in record.heartbeats]
    assert statuses[-1] == "complete", record.final
    assert set(statuses[:-1]) == {"running"}
    assert all(set(beat) >= HEARTBEAT_FIELDS for _, beat in record.heartbeats)
    assert record.final["messagesWritten"] == len(record.results)


def assert_beats_every_second(record: TaskRecord) -> None:
    """Consecutive running heartbeats about a second apart (loose bounds: a loaded machine)."""
    times = [at for at, beat in record.heartbeats if beat["status"] == "running"]
    assert len(times) >= 2, record.heartbeats
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(0.5 <= gap <= 3.0 for gap in gaps), gaps


def assert_failed(record: TaskRecord, reason: str) -> None:
    assert record.final["status"] == "failed", record.final
    assert record.final["failureReason"] == reason, record.final
    assert record.final["failureMsg"]
    assert record.results == []


def completed_task(
    engine: RunningEngine, toolkit: ToolkitSide, task: str, media: str, **fields: str
) -> TaskRecord:
    """Runs a stream or batch task to `complete`; every output strictly valid for the engine."""
    answer = engine.post(toolkit.task_fields(task, media, **fields))
    assert answer.status_code == 200, answer.text
    record = toolkit.wait(task)
    assert_completed(record)
    for output in record.outputs():
        assert_strict_valid(engine.name, output)
    return record
