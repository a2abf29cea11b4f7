"""The main endpoint's forwarding of DynamoDB calls to the process that holds the tables.

A client that knows only `AWS_ENDPOINT_URL` (the AWS CLI, awscurl, a notebook) sends its DynamoDB
calls to the main moto server; they are passed on, unchanged, to the DynamoDB process
(`service_process.py`) and its answer is returned as it is. The platform's own clients go to that
process directly and never cost the main process a request.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from werkzeug.http import is_hop_by_hop_header

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
FORWARD_TIMEOUT_SECONDS = 60.0


class ServiceRouter:
    """A WSGI app: calls whose `X-Amz-Target` starts with a routed prefix go to that prefix's URL."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._routes: dict[str, tuple[str, int]] = {}

    def route(self, target_prefix: str, url: str) -> None:
        parts = urlsplit(url)
        self._routes[target_prefix] = (parts.hostname or "127.0.0.1", parts.port or 80)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        for prefix, address in self._routes.items():
            if target.startswith(prefix):
                return self._forward(address, environ, start_response)
        return self._app(environ, start_response)

    def _forward(
        self, address: tuple[str, int], environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_") and not is_hop_by_hop_header(key[5:].replace("_", "-"))
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        path = environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
        connection = http.client.HTTPConnection(*address, timeout=FORWARD_TIMEOUT_SECONDS)
        try:
            connection.request(environ["REQUEST_METHOD"], path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        kept = [(name, value) for name, value in answer.getheaders() if not is_hop_by_hop_header(name)]
        start_response(f"{answer.status} {answer.reason}", kept)
        return [data]
