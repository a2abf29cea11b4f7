"""`medialens engine test` fails a faulty engine with a non-zero exit and one line naming the fault,
and passes an engine that recovers within the retry policy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from medialens.runtime.ports import free_port
from tests.local.engine_harness.conftest import Samples, frame_args, urls
from tests.support.fault_engine import FaultEngine


def test_a_500_then_success_is_retried_and_passes(
    medialens: Any, samples: Samples, engine: FaultEngine
) -> None:
    engine.process = "fail-once"
    run = medialens(*frame_args(samples, engine))
    assert run.code == 0, run.err
    (row,) = run.report()["rows"]
    assert (row["status"], row["attempts"]) == ("SUCCESS", 2)
    assert "retried: 500, 200" in row["detail"]


@pytest.mark.parametrize(
    ("ready", "process", "extra", "reason"),
    [
        ("ok", "status:422", [], "chunk 0 [0-0 ms] failed after 3 attempts: 422: engine says 422"),
        ("ok", "hang", ["--call-timeout", "1", "--attempts", "1"], "timeout: no answer within 1 s"),
        ("never", "ok", ["--ready-timeout", "2"], "engine not ready after 2 s"),
        ("broken", "ok", [], "engine is broken: Ready answered 500: model failed to load"),
        ("ok", "huge", [], "answer of 52428800 bytes is larger than the limit of 10485760 bytes"),
        (
            "ok",
            "async-silent",
            ["--max-ttl", "1"],
            "chunk 0 [0-0 ms] answered later and failed: no result on the result webhook within 1 s (maxTTL)",
        ),
        ("ok", "async-failed", [], "chunk 0 [0-0 ms] answered later and failed: invalid_data: unreadable"),
        (
            "ok",
            "invalid",
            ["--validation", "strict"],
            "chunk 0 [0-0 ms]: not valid VTN (1 problems): $.series[0]: Additional properties are not "
            "allowed ('found' was unexpected) (aion)",
        ),
    ],
    ids=[
        "4xx",
        "hang",
        "never-ready",
        "ready-500",
        "huge-answer",
        "no-result-later",
        "failed-later",
        "invalid-vtn-strict",
    ],
)
def test_a_faulty_chunk_engine_fails_with_a_one_line_reason(
    medialens: Any,
    samples: Samples,
    engine: FaultEngine,
    ready: str,
    process: str,
    extra: list[str],
    reason: str,
) -> None:
    engine.ready, engine.process, engine.hang_seconds = ready, process, 3
    run = medialens(*frame_args(samples, engine, *extra))
    assert run.code == 1
    assert len(run.failures) == 1 and reason in run.failures[0], run.err
    assert run.report()["passed"] is False and run.report()["failures"] == run.failures


def test_a_chunk_answered_later_on_its_result_webhook_passes(
    medialens: Any, samples: Samples, engine: FaultEngine
) -> None:
    engine.process = "async-chunk"
    run = medialens(*frame_args(samples, engine, "--validation", "strict"))
    assert run.code == 0, run.err
    (row,) = run.report()["rows"]
    assert row["status"] == "SUCCESS" and row["detail"].startswith("answered later (")
    assert run.report()["summary"]["chunksSucceeded"] == 1
    form = engine.forms[0]
    assert form["heartbeatWebhook"].endswith("/heartbeat") and form["resultWebhook"].endswith("/result")
    merged = json.loads((run.report_dir / "merged-vtn.json").read_text())
    assert merged["object"][0]["label"] == "chunk 0 later"  # an image: its objects stay objects


def test_invalid_vtn_in_warn_mode_is_reported_but_passes(
    medialens: Any, samples: Samples, engine: FaultEngine
) -> None:
    engine.process = "invalid"
    run = medialens(*frame_args(samples, engine))
    assert run.code == 0
    assert "warning: chunk 0 [0-0 ms]: not valid VTN (1 problems): $.series[0]" in run.err
    (row,) = run.report()["rows"]
    assert row["violations"] == 1 and row["detail"].startswith("$.series[0]: Additional properties")


def test_connection_refused_fails_naming_it(medialens: Any, samples: Samples, engine: FaultEngine) -> None:
    closed = f"http://127.0.0.1:{free_port('127.0.0.1')}/process"
    args = frame_args(samples, engine, "--attempts", "2")
    args[args.index("--process-url") + 1] = closed
    run = medialens(*args)
    assert run.code == 1
    (failure,) = run.failures
    assert failure.startswith("chunk 0 [0-0 ms] failed after 2 attempts: ConnectionError:"), failure


def test_an_engine_command_that_exits_fails_before_ready(medialens: Any, samples: Samples) -> None:
    command = f"{__import__('sys').executable} -c \"print('no model'); raise SystemExit(3)\""
    run = medialens("engine", "test", "--manifest", str(samples.chunk_manifest), "--command", command)
    assert run.code == 1
    (failure,) = run.failures
    assert failure.startswith("the engine command exited (exit code 3"), failure
    assert failure.endswith("before Ready answered 200")
    assert "engine| no model" in run.err  # the engine's output, forwarded


def stream_args(samples: Samples, engine: FaultEngine, mode: str, *extra: str) -> list[str]:
    manifest = samples.stream_manifest if mode == "stream" else samples.batch_manifest
    return [
        "engine",
        "test",
        "--manifest",
        str(manifest),
        "--media",
        str(samples.video),
        *urls(engine),
        *extra,
    ]


@pytest.mark.parametrize(
    ("mode", "process", "extra", "reason"),
    [
        (  # strict, and nothing to merge: the failure is still the one reason given
            "stream",
            "async-failed",
            ["--validation", "strict", "--contract", "transcript"],
            "heartbeat failed: invalid_data: unreadable",
        ),
        ("stream", "async-stops", ["--heartbeat-timeout", "1"], "heartbeat_timeout: no heartbeat for 1 s"),
        ("batch", "async-silent", ["--heartbeat-timeout", "1"], "heartbeat_timeout: no heartbeat for 1 s"),
        ("batch", "async-running", ["--max-ttl", "2"], "past maxTTL: no complete heartbeat within 2 s"),
        (
            "stream",
            "status:503",
            ["--attempts", "1"],
            "/process failed after 1 attempts: 503: engine says 503",
        ),
        (
            "stream",
            "async-malformed",
            [],
            "heartbeat webhook refused a call: 400 unknown failureReason 'bored'",
        ),
        ("batch", "async-forged", [], "heartbeat webhook called with a wrong secret: 403"),
    ],
    ids=[
        "heartbeat-failed",
        "heartbeat-stops",
        "silent",
        "past-max-ttl",
        "process-fails",
        "malformed",
        "forged",
    ],
)
def test_a_faulty_stream_or_batch_engine_fails_with_a_one_line_reason(
    medialens: Any,
    samples: Samples,
    engine: FaultEngine,
    mode: str,
    process: str,
    extra: list[str],
    reason: str,
) -> None:
    engine.process = process
    run = medialens(*stream_args(samples, engine, mode, *extra))
    assert run.code == 1
    assert run.failures == [reason], run.err
    assert run.report()["rows"][0]["name"] == "task"
