"""werkzeug's threaded WSGI server, with pooled threads instead of one new thread per connection.

werkzeug's server closes every connection after one response (`Connection: close`), so each AWS
call of a Lambda worker is a new connection, and `ThreadingMixIn` starts a new thread for each:
in the platform process that start (the thread's objects, then handing it the GIL) cost more than
a tenth of the CPU an execution takes. Here idle threads take the next connection. The pool is
large, because requests may wait on one another (an `Invoke` waits for a function that calls back
into moto; an SQS receive may wait 20 s): a connection arriving while all threads are busy waits
for one, never fails.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

MAX_THREADS = 256  # threads are started only when no idle one is left
# How often the accept loop looks for a shutdown request: `shutdown()` waits up to this long
# (socketserver's 0.5 s made each platform stop wait about a second for its two servers).
SHUTDOWN_POLL_SECONDS = 0.05


class PooledWSGIServer(ThreadedWSGIServer):
    """Daemon threads, as werkzeug's are, so a request still waiting never holds up the exit."""

    def __init__(
        self,
        host: str,
        port: int,
        app: Callable[..., Any],
        handler: type[WSGIRequestHandler] | None = None,
        *,
        max_threads: int = MAX_THREADS,
        name: str = "wsgi",
    ) -> None:
        super().__init__(host, port, app, handler)
        self._connections: queue.SimpleQueue[tuple[Any, Any] | None] = queue.SimpleQueue()
        self._max_threads = max_threads
        self._name = name
        self._lock = threading.Lock()
        self._started_threads = 0
        self._idle_threads = 0

    def serve_forever(self, poll_interval: float = SHUTDOWN_POLL_SECONDS) -> None:
        super().serve_forever(poll_interval)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            start = self._idle_threads == 0 and self._started_threads < self._max_threads
            if start:
                self._started_threads += 1
            else:
                self._idle_threads -= 1  # this connection is that idle thread's (or waits for one)
        self._connections.put((request, client_address))
        if start:
            name = f"{self._name}-{self._started_threads}"
            threading.Thread(target=self._serve, name=name, daemon=True).start()

    def _serve(self) -> None:
        while True:
            taken = self._connections.get()
            if taken is None:
                return
            self.process_request_thread(*taken)  # handles, logs and closes, as ThreadingMixIn does
            with self._lock:
                self._idle_threads += 1

    def server_close(self) -> None:
        super().server_close()
        with self._lock:
            threads = self._started_threads
        for _ in range(threads):
            self._connections.put(None)


def make_pooled_server(
    host: str,
    port: int,
    app: Callable[..., Any],
    *,
    request_handler: type[WSGIRequestHandler] | None = None,
    name: str = "wsgi",
) -> PooledWSGIServer:
    """Like `werkzeug.serving.make_server(host, port, app, threaded=True)`, with pooled threads."""
    return PooledWSGIServer(host, port, app, request_handler, name=name)
