"""The `local_server` fixture: a client hanging up is quiet, a handler error reaches the test."""

from __future__ import annotations

import socket
import struct
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

LARGE_BODY = b"x" * (1 << 20)  # more than the socket buffers: writing it must reach the peer


def _wait_for_request(local_server: Any) -> None:
    deadline = time.monotonic() + 5
    while not local_server.received:
        assert time.monotonic() < deadline, "the request never reached the server"
        time.sleep(0.01)


def test_a_client_that_hangs_up_before_the_answer_leaves_no_traceback(
    local_server: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    hung_up = threading.Event()

    def late(_request: Any) -> tuple[int, Any]:
        hung_up.wait(timeout=5)
        return 200, LARGE_BODY

    local_server.responder = late
    address = urlsplit(local_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as client:
        client.sendall(f"GET {address.path}/metadata HTTP/1.1\r\nHost: {address.netloc}\r\n\r\n".encode())
        _wait_for_request(local_server)
        # Close with a reset, as a client whose timeout expired may: the answer has nowhere to go.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    hung_up.set()
    local_server.stop()  # waits for the handler to finish writing into the closed connection

    assert local_server.failures == []
    assert "Exception occurred during processing of request" not in capfd.readouterr().err


def test_an_error_while_answering_is_kept_for_the_test(
    local_server: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    def broken(_request: Any) -> tuple[int, Any]:
        raise ValueError("the scripted answer is broken")

    local_server.responder = broken
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{local_server.url}/metadata", timeout=5)
    local_server.stop()

    [failure] = local_server.failures
    assert "ValueError: the scripted answer is broken" in failure
    assert "Exception occurred during processing of request" not in capfd.readouterr().err
    local_server.failures.clear()  # seen; the fixture would otherwise fail this test at teardown
