"""moto's Step Functions put right where a workflow could tell it from AWS (runtime/moto_fixes.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint, CallbackOutcomeSuccess

from medialens.runtime import moto_fixes


@pytest.fixture
def fixed() -> Iterator[None]:
    moto_fixes.install()
    yield
    moto_fixes.uninstall()


def test_a_token_answered_during_the_invocation_is_not_a_heartbeat_timeout(fixed: None) -> None:
    endpoint = CallbackEndpoint("token-1")
    endpoint.notify(CallbackOutcomeSuccess(callback_id="token-1", output='{"Skipped": "no"}'))
    # The interpreter sets up the heartbeat wait only once the Lambda returned.
    heartbeat = endpoint.setup_heartbeat_endpoint(heartbeat_seconds=1)

    assert heartbeat.clear_and_wait() is True  # heard at once: the outcome is read, not timed out
    assert isinstance(endpoint.get_outcome(), CallbackOutcomeSuccess)


def test_a_task_without_an_outcome_still_waits_for_its_heartbeat(fixed: None) -> None:
    endpoint = CallbackEndpoint("token-2")
    heartbeat = endpoint.setup_heartbeat_endpoint(heartbeat_seconds=0.2)  # type: ignore[arg-type]

    assert heartbeat.clear_and_wait() is False  # no heartbeat within the interval: timed out
