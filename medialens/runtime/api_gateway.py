"""A local stand-in for API Gateway REST APIs with Lambda proxy integration and AWS_IAM auth.

Several APIs share one port, each under its own base path ({"/dataplane-api": "DataplaneApi"}).
A request becomes the proxy event API Gateway would send (path without the base path, stage "api"),
the function's answer becomes the HTTP response, and failures look like API Gateway's. While the
platform stops (`drain`), every request is answered 503 with `Retry-After`, so no write is accepted
that the stop could lose.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import uuid
from collections.abc import Callable, Collection, Mapping
from typing import Any

from medialens_helper.apigw import build_proxy_event
from werkzeug import Request, Response
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.serving import BaseWSGIServer, make_server

from medialens.runtime.sigv4 import SignatureError, raw_path, verify_request
from medialens.runtime.workers import InvokeResult
from medialens.state import LocalCredentials

LOG = logging.getLogger(__name__)
STAGE = "api"
Invoke = Callable[[str, bytes], InvokeResult]
RETRY_AFTER_SECONDS = 10
STOPPING_MESSAGE = "the local platform is stopping; retry once it has restarted"
# API Gateway's (REST) request payload limit, and its answer to a larger body.
MAX_REQUEST_BYTES = 10 * 1024 * 1024
TOO_LARGE_MESSAGE = f"HTTP content length exceeded {MAX_REQUEST_BYTES} bytes."
# Hop-by-hop and computed headers a proxy must not copy from the function's answer.
_SKIPPED_RESPONSE_HEADERS = {"content-length", "transfer-encoding", "connection"}


class MalformedResponseError(ValueError):
    """The function's answer is not a valid proxy-integration response."""


def _message(status: int, message: str) -> Response:
    response = Response(json.dumps({"message": message}), status=status, mimetype="application/json")
    response.headers["x-amzn-ErrorType"] = {
        403: "ForbiddenException",
        404: "NotFoundException",
        503: "ServiceUnavailableException",
        413: "RequestTooLarge",
    }.get(status, "InternalServerErrorException")
    return response


class LocalApiGateway:
    """A WSGI app: base path -> Lambda function, SigV4 checked on every route but the health check."""

    def __init__(
        self,
        routes: Mapping[str, str],
        invoke: Invoke,
        credentials: LocalCredentials,
        open_bases: Collection[str] = (),
    ) -> None:
        """`open_bases`: base paths served without SigV4 (their function checks its own secret)."""
        self._routes = {"/" + base.strip("/"): function for base, function in routes.items()}
        self._invoke = invoke
        self._credentials = credentials
        self._state = threading.Condition()
        self._draining = False
        self._in_flight = 0
        self._open = {"/" + base.strip("/") for base in open_bases}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with self._state:
            accepted = not self._draining
            self._in_flight += accepted
        if not accepted:
            response = _message(503, STOPPING_MESSAGE)
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        else:
            try:
                response = self._handle(Request(environ))
            finally:
                with self._state:
                    self._in_flight -= 1
                    self._state.notify_all()
        response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
        return response(environ, start_response)

    def drain(self, timeout: float) -> bool:
        """Answer 503 to every new request; True once none is in flight, False after `timeout` s."""
        with self._state:
            self._draining = True
            return self._state.wait_for(lambda: self._in_flight == 0, timeout)

    def _handle(self, request: Request) -> Response:
        base, _, rest = raw_path(request).lstrip("/").partition("/")
        function = self._routes.get("/" + base)
        if function is None:
            return _message(404, "Not Found")  # API Gateway's answer for an unknown base path
        path = "/" + rest
        # Refused before the body is read: werkzeug checks Content-Length against its limit up
        # front. A chunked body has no length: werkzeug stops reading it at the limit, and one
        # byte past ours tells a body over the limit from one just at it.
        request.max_content_length = MAX_REQUEST_BYTES + 1
        try:
            too_large = len(request.get_data(cache=True)) > MAX_REQUEST_BYTES
        except RequestEntityTooLarge:
            too_large = True
        if too_large:
            return _message(413, TOO_LARGE_MESSAGE)
        caller_arn = None
        identity: dict[str, Any] = {}
        open_route = "/" + base in self._open or (request.method == "GET" and path == "/")
        if not open_route:  # the health check is open, as on AWS
            try:
                caller = verify_request(request, self._credentials)
            except SignatureError as exc:
                return _message(403, exc.reason)
            caller_arn = caller.user_arn
            identity = {"accessKey": caller.access_key_id, "user": caller.access_key_id}
        event = self._event(request, path, caller_arn, identity)
        try:
            result = self._invoke(function, json.dumps(event).encode())
        except Exception:
            LOG.exception("invoking %s failed", function)
            return _message(502, "Internal server error")
        if result.function_error:
            LOG.warning("%s failed: %s", function, result.payload[:2000].decode("utf-8", "replace"))
            return _message(502, "Internal server error")
        try:
            return _to_response(result.payload)
        except MalformedResponseError as exc:
            LOG.warning("%s returned a malformed proxy response: %s", function, exc)
            return _message(502, "Internal server error")

    def _event(
        self, request: Request, path: str, caller_arn: str | None, identity: dict[str, Any]
    ) -> dict[str, Any]:
        body = request.get_data(cache=True)
        event = build_proxy_event(
            request.method,
            path,
            query=request.args.to_dict(),
            headers=dict(request.headers.items()),
            body=body or None,
            stage=STAGE,
            source_ip=request.remote_addr or "127.0.0.1",
            caller_arn=caller_arn,
        )
        # Repeated query keys and headers: API Gateway lists every value in the multi-value maps.
        if request.args:
            event["multiValueQueryStringParameters"] = request.args.to_dict(flat=False)
        if request.headers:
            multi: dict[str, list[str]] = {}
            for name, value in request.headers.items():
                multi.setdefault(name, []).append(value)
            event["multiValueHeaders"] = multi
        event["requestContext"]["identity"].update(identity)
        return event


def _to_response(payload: bytes) -> Response:
    try:
        answer = json.loads(payload)
    except ValueError as exc:
        raise MalformedResponseError("not JSON") from exc
    if not isinstance(answer, dict) or not isinstance(answer.get("statusCode"), int):
        raise MalformedResponseError("statusCode missing or not an integer")
    body = answer.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedResponseError("body must be a string")
    data = (body or "").encode("utf-8")
    if answer.get("isBase64Encoded"):
        try:
            data = base64.b64decode(body or "", validate=True)
        except ValueError as exc:
            raise MalformedResponseError("body is not valid base64") from exc
    response = Response(data, status=answer["statusCode"])
    response.headers.remove("Content-Type")
    headers = answer.get("headers") or {}
    multi = answer.get("multiValueHeaders") or {}
    if not isinstance(headers, dict) or not isinstance(multi, dict):
        raise MalformedResponseError("headers must be objects")
    for name, values in multi.items():
        for value in values if isinstance(values, list) else [values]:
            if name.lower() not in _SKIPPED_RESPONSE_HEADERS:
                response.headers.add(name, str(value))
    for name, value in headers.items():
        if name.lower() not in _SKIPPED_RESPONSE_HEADERS and name not in multi:
            response.headers[name] = str(value)
    if "Content-Type" not in response.headers:
        response.headers["Content-Type"] = "application/json"
    return response


def serve(
    app: Callable[..., Any], host: str = "127.0.0.1", port: int = 0
) -> tuple[BaseWSGIServer, threading.Thread, str]:
    """Serve `app` on a background thread; returns the server, the thread and the base URL."""
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="local-api", daemon=True)
    thread.start()
    return server, thread, f"http://{host}:{server.server_port}"
