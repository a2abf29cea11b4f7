"""Webhook task ids and secrets: a task id names only an engine run's folder; secrets compare by digest."""

from __future__ import annotations

import base64

from api.engines.tasks import secret_digest, secret_matches, task_id, task_prefix, webhook_urls

PREFIX = "private/assets/a1/workflows/w1/engines/Op/"


def encoded(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_a_task_id_round_trips_to_its_run_folder() -> None:
    assert task_prefix(task_id(PREFIX)) == PREFIX
    heartbeat, result = webhook_urls("http://127.0.0.1:1/engine-webhooks/", PREFIX, "s3cr3t")
    assert heartbeat == f"http://127.0.0.1:1/engine-webhooks/tasks/{task_id(PREFIX)}/s3cr3t/heartbeat"
    assert result.endswith("/s3cr3t/result")


def test_a_task_id_outside_an_engine_run_names_nothing() -> None:
    for forged in ("private/other/x/engines/Op/", "private/assets/a/../../engines/x/", "private/assets/a/"):
        assert task_prefix(encoded(forged)) is None
    assert task_prefix("not base64 at all!") is None


def test_only_the_digest_is_kept_and_the_secret_must_match_it() -> None:
    digest = secret_digest("right")
    assert "right" not in digest
    assert secret_matches("right", digest) and not secret_matches("wrong", digest)
