"""Stream and batch engines on the local platform: an Async operator fed by the heartbeat and
result webhooks the platform serves, each URL carrying a secret only that task's engine knows."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from tests.local.engines.test_chunk_engines import dataplane, run
from tests.local.workflows.platform_client import RunningPlatform, operator_view
from tests.support.fault_engine import FaultEngine

pytestmark = pytest.mark.local


def register(running: RunningPlatform, engine: FaultEngine, mode: str = "stream", **block: Any) -> str:
    name = f"Stream{uuid.uuid4().hex[:8]}"
    manifest = {"engineMode": mode, "supportedInputFormats": ["video/mp4"]}
    body = {
        "Name": name,
        "Configuration": {"MediaType": "Video", "Enabled": True},
        "Engine": {**engine.block(Manifest=manifest), "Validation": {"Mode": "strict"}, **block},
    }
    assert running.api.upsert("operation", body)["Type"] == "Async"
    return name


def test_a_stream_engine_reports_through_its_webhooks_and_its_result_is_stored_once(
    running: RunningPlatform, engine: FaultEngine, sample_video: bytes
) -> None:
    engine.process = "async-complete"
    operator = register(running, engine)
    execution = run(running, operator, sample_video)
    assert execution["Status"] == "Complete", execution.get("Error")
    assert engine.webhook_statuses == [204, 204, 204, 204]
    (form,) = engine.forms
    assert form["chunk.size"] is None  # a stream engine reads cacheURI, no chunk file
    assert form["cacheURI"].startswith("http") and form["maxTTL"] == "3600"
    assert form["heartbeatWebhook"].endswith("/heartbeat") and form["resultWebhook"].endswith("/result")
    view = operator_view(execution, operator)
    assert view["MetaData"]["EngineSeriesCount"] == 1 and view["MetaData"]["EngineInfo"] == "1 result"
    stored = dataplane(running).retrieve_asset_metadata(execution["AssetId"], operator_name=operator)
    assert stored["results"]["series"] == [
        {"startTimeMs": 1000, "stopTimeMs": 2000, "words": [{"word": "hello"}]}
    ]


def test_a_webhook_with_a_wrong_secret_is_403_and_stores_nothing(
    running: RunningPlatform, engine: FaultEngine, sample_video: bytes
) -> None:
    engine.process = "async-failed"
    operator = register(running, engine, mode="batch")
    execution = run(running, operator, sample_video)
    assert execution["Status"] == "Error"
    url: str = engine.forms[0]["heartbeatWebhook"]
    task, secret = url.split("/")[-3:-1]
    forged = url.replace(f"/{task}/{secret}/", f"/{task}/{secret[:-2]}xx/")
    answer = requests.post(forged, json={"status": "complete"}, timeout=10)
    assert answer.status_code == 403
    unknown = url.replace(f"/{task}/", "/bm90LWEtdGFzaw/")
    assert requests.post(unknown, json={"status": "complete"}, timeout=10).status_code == 403
    bad = requests.post(url, json={"status": "failed", "failureReason": "bored"}, timeout=10)
    assert bad.status_code == 400 and "failureReason" in bad.json()["Message"]


@pytest.mark.parametrize(
    ("process", "block", "reason"),
    [
        ("async-failed", {}, "invalid_data: unreadable"),
        ("async-silent", {"HeartbeatTimeoutSeconds": 2}, "heartbeat_timeout: no heartbeat for 2 s"),
        ("async-running", {"MaxTTLSeconds": 3}, "past maxTTL: no complete heartbeat within 3 s"),
    ],
)
def test_each_stream_engine_failure_ends_the_operator_in_error(
    running: RunningPlatform,
    engine: FaultEngine,
    sample_video: bytes,
    process: str,
    block: dict[str, Any],
    reason: str,
) -> None:
    engine.process = process
    operator = register(running, engine, **block)
    execution = run(running, operator, sample_video)
    assert execution["Status"] == "Error"
    assert reason in execution["Error"], execution["Error"]


def test_a_stream_engine_that_does_not_take_the_media_is_skipped(
    running: RunningPlatform, engine: FaultEngine, sample_video: bytes
) -> None:
    engine.process = "async-complete"
    operator = register(
        running, engine, Manifest={"engineMode": "stream", "supportedInputFormats": ["audio/wav"]}
    )
    execution = run(running, operator, sample_video)
    assert execution["Status"] == "Complete", execution.get("Error")
    view = operator_view(execution, operator)
    assert view["Status"] == "Skipped"
    assert "does not support video/mp4" in view["MetaData"]["SkipReason"]
    assert engine.forms == [] and engine.ready_polls == 0
