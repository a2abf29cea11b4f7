"""moto's server on a background thread, with the journaling front before its app.

The same parts as moto's `ThreadedMotoServer` (its dispatcher app and request handler), built here
so that the app can be wrapped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer

from medialens.durability.front import JournalingFront
from medialens.runtime.pooled_server import make_pooled_server
from medialens.runtime.service_router import ServiceRouter


class MotoServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.front = JournalingFront(DomainDispatcherApplication(create_backend_app))
        self.router = ServiceRouter(self.front)  # services held by another process (`route`)
        self._server: BaseWSGIServer = make_pooled_server(
            host, port, self.router, request_handler=MotoRequestHandler, name="moto"
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto-server", daemon=True)

    def wrap_app(self, wrapper: Callable[[Any], Any]) -> None:
        """Put `wrapper(app)` before the server's app (instrumentation; before `start`)."""
        self._server.app = wrapper(self._server.app)

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
