"""The registration's retries while a fresh deployment's grants and API stage go live (no network)."""

from __future__ import annotations

import pytest
from medialens_helper import DataplaneRequest, DataplaneResponse, DataplaneUnavailableError

from api.registration.transport import RetryingTransport


class Scripted:
    """A transport answering from a script, then 200: what a fresh grant looks like from inside."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.calls = 0

    def handle(self, request: DataplaneRequest) -> DataplaneResponse:
        self.calls += 1
        if self.answers:
            answer = self.answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return DataplaneResponse(answer, {"Message": f"scripted {answer}"})
        return DataplaneResponse(200, {"ok": True})


class FakeTime:
    """Sleeping advances the clock; nothing really waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def _retrying(
    inner: Scripted, delays: tuple[float, ...], budget: float = 90
) -> tuple[RetryingTransport, FakeTime]:
    time = FakeTime()
    transport = RetryingTransport(
        inner, delays=delays, budget_seconds=budget, sleep=time.sleep, clock=time.clock
    )
    return transport, time


def _get() -> DataplaneRequest:
    return DataplaneRequest("GET", "/workflow", {}, None)


def test_a_fresh_grant_answering_403_and_an_unreachable_stage_are_retried_until_ready() -> None:
    inner = Scripted(403, DataplaneUnavailableError("no route", status_code=0), 503)
    transport, time = _retrying(inner, (1, 2, 4, 8))

    response = transport.handle(_get())

    assert response.status_code == 200
    assert time.slept == [1, 2, 4]
    assert inner.calls == 4


def test_retries_are_bounded_and_the_last_answer_stands() -> None:
    inner = Scripted(403, 403, 403, 403)
    transport, time = _retrying(inner, (1, 2))

    response = transport.handle(_get())

    assert response.status_code == 403
    assert time.slept == [1, 2]
    assert inner.calls == 3


def test_an_api_still_unreachable_after_the_retries_raises_its_error() -> None:
    unreachable = DataplaneUnavailableError("no route", status_code=0)
    transport, time = _retrying(Scripted(unreachable, unreachable, unreachable), (1, 1))

    with pytest.raises(DataplaneUnavailableError, match="no route"):
        transport.handle(_get())
    assert time.slept == [1, 1]


def test_client_errors_and_conflicts_are_not_retried() -> None:
    for status in (400, 404, 409):
        inner = Scripted(status)
        transport, time = _retrying(inner, (1, 2))

        assert transport.handle(DataplaneRequest("POST", "/workflow", {}, {})).status_code == status
        assert time.slept == []
        assert inner.calls == 1


def test_one_invocation_stops_waiting_once_its_budget_is_spent() -> None:
    # Many definitions against an API that keeps refusing must not outlive the function's timeout.
    inner = Scripted(*([403] * 20))
    transport, time = _retrying(inner, (4, 4, 4), budget=10)

    first = transport.handle(DataplaneRequest("POST", "/workflow/operation", {}, {}))
    second = transport.handle(DataplaneRequest("POST", "/workflow/operation", {}, {}))

    assert (first.status_code, second.status_code) == (403, 403)
    assert time.slept == [4, 4]  # 8 s of the 10 s budget; a third wait would pass it
    assert inner.calls == 4  # after the budget, each request is tried once
