"""The pooled WSGI server: threads taken again for new connections, grown when all are busy."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from medialens.runtime.pooled_server import PooledWSGIServer, make_pooled_server

pytestmark = pytest.mark.local


def _thread_name_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = threading.current_thread().name.encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


@contextmanager
def _serving(app: Any, **kwargs: Any) -> Iterator[tuple[PooledWSGIServer, str]]:
    server = make_pooled_server("127.0.0.1", 0, app, name="pool-test")
    for name, value in kwargs.items():
        setattr(server, name, value)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_one_connection_after_another_is_served_by_threads_taken_again() -> None:
    with _serving(_thread_name_app) as (_, url):
        # werkzeug closes each connection after its response: every request is a new connection.
        names = {requests.get(url, timeout=5).text for _ in range(20)}
    # A thread lingers ~10 ms after each response (werkzeug drains the socket), so the next
    # connection may find it still busy: a second thread, never one per connection.
    assert 1 <= len(names) <= 3
    assert all(name.startswith("pool-test-") for name in names)


def test_connections_waiting_on_each_other_each_get_a_thread() -> None:
    arrived = threading.Barrier(6, timeout=10)

    def waits_for_all(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        arrived.wait()  # answers only once all six requests are in: one thread each, or a deadlock
        return _thread_name_app(environ, start_response)

    with _serving(waits_for_all) as (_, url), ThreadPoolExecutor(6) as clients:
        names = list(clients.map(lambda _: requests.get(url, timeout=15).text, range(6)))
    assert len(set(names)) == 6


def test_past_the_thread_limit_a_connection_waits_for_a_free_thread() -> None:
    release = threading.Event()
    entered = threading.Semaphore(0)

    def holds(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] == "/hold":
            entered.release()
            release.wait(10)
        return _thread_name_app(environ, start_response)

    with _serving(holds, _max_threads=1) as (_, url), ThreadPoolExecutor(2) as clients:
        held = clients.submit(requests.get, f"{url}/hold", timeout=15)
        assert entered.acquire(timeout=5)
        waiting = clients.submit(requests.get, f"{url}/next", timeout=15)
        assert not waiting.done()  # no thread for it while the only one is held
        release.set()
        assert held.result().status_code == 200
        assert waiting.result().text == held.result().text  # the one thread served both
