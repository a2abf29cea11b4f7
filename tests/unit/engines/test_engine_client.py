"""The toolkit's call semantics against a real HTTP engine on 127.0.0.1: answers, retries, limits."""

from __future__ import annotations

import socket
import time

import pytest

from api.engines.models import RetryPolicy
from operators.engine.client import (
    CallLimits,
    EngineBrokenError,
    EngineNotReadyError,
    Outcome,
    post_chunk,
    wait_ready,
)
from tests.support.fault_engine import FaultEngine

FIELDS = {"chunkIndex": "0", "startOffsetMS": "0", "endOffsetMS": "1000", "chunkMimeType": "image/jpeg"}
CHUNK = ("chunk.jpg", b"\xff\xd8not really\xff\xd9", "image/jpeg")


def limits(timeout: float = 5, max_bytes: int = 10 * 1024 * 1024, attempts: int = 3) -> CallLimits:
    return CallLimits(timeout, max_bytes, RetryPolicy(MaxAttempts=attempts))


def test_a_json_answer_is_the_result_and_the_form_carries_the_chunk(engine: FaultEngine) -> None:
    reply = post_chunk(f"{engine.base_url}/process", FIELDS, CHUNK, limits())
    assert reply.outcome is Outcome.SUCCESS
    assert reply.output == {"object": [{"type": "object", "label": "chunk 0", "confidence": 0.9}]}
    assert reply.attempts == 1
    (form,) = engine.forms
    assert form["chunkMimeType"] == "image/jpeg" and form["chunk.size"] == len(CHUNK[1])


def test_a_500_then_success_is_retried_after_the_toolkit_backoff(engine: FaultEngine) -> None:
    engine.process = "fail-once"
    waits: list[float] = []
    reply = post_chunk(f"{engine.base_url}/process", FIELDS, CHUNK, limits(), sleep=waits.append)
    assert reply.outcome is Outcome.SUCCESS
    assert reply.attempts == 2
    assert reply.statuses == ["500", "200"]
    assert waits == [0.1]


def test_a_4xx_is_retried_three_times_then_fails_with_status_and_body(engine: FaultEngine) -> None:
    engine.process = "status:422"
    waits: list[float] = []
    reply = post_chunk(f"{engine.base_url}/process", FIELDS, CHUNK, limits(), sleep=waits.append)
    assert reply.outcome is Outcome.ERROR
    assert reply.attempts == 3
    assert reply.error == "422: engine says 422"
    assert waits == [0.1, 0.2]  # the toolkit's 100 ms then 200 ms
    assert engine.attempts["0"] == 3


def test_204_and_an_empty_200_mean_the_chunk_is_ignored(engine: FaultEngine) -> None:
    engine.process = "ignore"
    assert post_chunk(f"{engine.base_url}/process", FIELDS, CHUNK, limits()).outcome is Outcome.IGNORED


def test_another_content_type_is_a_media_answer(engine: FaultEngine) -> None:
    engine.process = "ttml"
    reply = post_chunk(f"{engine.base_url}/process", FIELDS, CHUNK, limits())
    assert reply.outcome is Outcome.MEDIA
    assert reply.content_type == "application/ttml+xml" and reply.body == b"<tt/>"


def test_a_hang_past_the_call_timeout_fails_in_bounded_time(engine: FaultEngine) -> None:
    engine.process = "hang"
    engine.hang_seconds = 5
    began = time.monotonic()
    reply = post_chunk(
        f"{engine.base_url}/process", FIELDS, CHUNK, limits(timeout=1, attempts=2), sleep=lambda _: None
    )
    assert reply.outcome is Outcome.ERROR
    assert reply.error.startswith("timeout: no answer within 1 s")
    assert time.monotonic() - began < 4.5  # two 1 s attempts, not two 5 s hangs


def test_connection_refused_is_retried_then_named() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    reply = post_chunk(f"http://127.0.0.1:{port}/process", FIELDS, CHUNK, limits(), sleep=lambda _: None)
    assert reply.outcome is Outcome.ERROR
    assert reply.attempts == 3
    assert reply.error.startswith("ConnectionError")


def test_an_answer_over_the_size_limit_fails_without_retrying(engine: FaultEngine) -> None:
    engine.process = "huge"
    reply = post_chunk(f"{engine.base_url}/process", FIELDS, CHUNK, limits(max_bytes=1024 * 1024))
    assert reply.outcome is Outcome.ERROR
    assert "larger than the limit of 1048576" in reply.error
    assert reply.attempts == 1 and engine.attempts["0"] == 1


def test_ready_polls_until_200(engine: FaultEngine) -> None:
    engine.ready = "late:2"
    assert wait_ready(f"{engine.base_url}/ready", 10, poll_seconds=0.05) == 3


def test_ready_500_means_the_engine_is_broken(engine: FaultEngine) -> None:
    engine.ready = "broken"
    with pytest.raises(EngineBrokenError, match="engine is broken: Ready answered 500: model failed to load"):
        wait_ready(f"{engine.base_url}/ready", 10, poll_seconds=0.05)
    assert engine.ready_polls == 1


def test_never_ready_gives_up_at_the_limit(engine: FaultEngine) -> None:
    engine.ready = "never"
    began = time.monotonic()
    with pytest.raises(EngineNotReadyError, match=r"not ready after 0.5 s .*last: 503: warming up"):
        wait_ready(f"{engine.base_url}/ready", 0.5, poll_seconds=0.1)
    assert time.monotonic() - began < 3
