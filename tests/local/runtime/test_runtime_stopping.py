"""A stopping platform takes no new request (503, Retry-After) and lets the ones in flight finish."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
import requests

from medialens.runtime.api_gateway import RETRY_AFTER_SECONDS, LocalApiGateway, serve
from medialens.runtime.workers import InvokeResult

from .conftest import CREDENTIALS
from .signing import signed_request

pytestmark = pytest.mark.local


class SlowFunction:
    """A handler that holds its first call until released, as a long write would."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, name: str, payload: bytes) -> InvokeResult:
        self.entered.set()
        assert self.release.wait(30)
        return InvokeResult(json.dumps({"statusCode": 200, "body": '{"stored": true}'}).encode(), None, "")


@pytest.fixture
def gateway() -> Iterator[tuple[LocalApiGateway, SlowFunction, str]]:
    function = SlowFunction()
    made = LocalApiGateway({"/dataplane-api": "api"}, function, CREDENTIALS)
    server, thread, url = serve(made)
    yield made, function, url
    function.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_drain_answers_503_with_retry_after_and_waits_for_requests_in_flight(
    gateway: tuple[LocalApiGateway, SlowFunction, str],
) -> None:
    made, function, url = gateway
    answers: list[requests.Response] = []
    in_flight = threading.Thread(
        target=lambda: answers.append(signed_request("POST", f"{url}/dataplane-api/x", b"{}"))
    )
    in_flight.start()
    assert function.entered.wait(10)
    drained: list[bool] = []
    draining = threading.Thread(target=lambda: drained.append(made.drain(30)))
    draining.start()

    refused = requests.post(f"{url}/dataplane-api/x", data=b"{}", timeout=10)  # no signature needed to refuse
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "stopping" in refused.json()["message"]
    assert refused.headers["x-amzn-ErrorType"] == "ServiceUnavailableException"
    assert drained == []  # still waiting for the request in flight

    function.release.set()
    in_flight.join(10)
    draining.join(10)
    assert drained == [True]
    assert answers[0].status_code == 200 and answers[0].json() == {"stored": True}


def test_drain_gives_up_after_its_timeout(gateway: tuple[LocalApiGateway, SlowFunction, str]) -> None:
    made, function, url = gateway
    caller = threading.Thread(target=lambda: signed_request("POST", f"{url}/dataplane-api/x", b"{}"))
    caller.start()
    assert function.entered.wait(10)
    assert made.drain(0.2) is False
    function.release.set()
    caller.join(10)
