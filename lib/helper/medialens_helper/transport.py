"""How `DataPlane` reaches the dataplane API: one `handle(request) -> response` seam.

- `HttpTransport`: the deployed API over HTTPS, SigV4-signed for API Gateway ("execute-api").
- `InProcessTransport`: calls the API's Lambda handler directly with an API Gateway proxy event;
  the local runtime and tests use it, so requests take the same route through the same code.

Transports report what the API answered, error statuses included; `DataPlane` turns those into
exceptions. A transport raises only when no answer came (`DataplaneUnavailableError`).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urlsplit

import boto3
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from . import settings
from .apigw import build_proxy_event
from .errors import ConfigurationError, DataplaneUnavailableError

SIGNING_SERVICE = "execute-api"
JSON_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class DataplaneRequest:
    """One API call: `path` is the route with its parts already URL-quoted, `body` is JSON-able."""

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    body: Any = None

    def encoded_body(self) -> bytes | None:
        return None if self.body is None else json.dumps(self.body).encode("utf-8")

    def target(self) -> str:
        """Path plus query string, with a stable parameter order (it is part of the signature)."""
        if not self.query:
            return self.path
        return f"{self.path}?{urlencode(sorted(self.query.items()), quote_via=quote)}"


@dataclass(frozen=True)
class DataplaneResponse:
    """What the API answered: the status and the decoded JSON body (text if not JSON, None if empty)."""

    status_code: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


class Transport(Protocol):
    """Sends one request to the dataplane API and returns its answer, whatever the status."""

    def handle(self, request: DataplaneRequest) -> DataplaneResponse: ...


def decode_body(raw: bytes | str | None) -> Any:
    """JSON body as Python, falling back to text (or bytes) when it is not JSON."""
    if raw is None or raw in (b"", ""):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        if isinstance(raw, bytes):
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                return raw
        return raw


def signing_region(session: boto3.Session) -> str:
    """Region to sign for: the session's, then AWS_REGION, AWS_DEFAULT_REGION, then us-east-1."""
    return (
        session.region_name
        or os.environ.get(settings.AWS_REGION)
        or os.environ.get(settings.AWS_DEFAULT_REGION)
        or settings.DEFAULT_REGION
    )


class HttpTransport:
    """The dataplane API over HTTP(S), each request signed with SigV4 from the session's credentials."""

    def __init__(self, endpoint: str, *, session: boto3.Session | None = None, timeout: float = 30) -> None:
        parts = urlsplit(endpoint or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigurationError(f"dataplane endpoint must be an http(s) URL, got {endpoint!r}")
        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout
        self._session = session or boto3.Session()
        self.region = signing_region(self._session)
        # One connection pool per transport: reused across calls and warm invocations.
        self._http = requests.Session()

    def handle(self, request: DataplaneRequest) -> DataplaneResponse:
        url = self.endpoint + request.target()
        data = request.encoded_body()
        headers = {"Accept": JSON_CONTENT_TYPE}
        if data is not None:
            headers["Content-Type"] = JSON_CONTENT_TYPE
        signed = AWSRequest(method=request.method.upper(), url=url, data=data, headers=headers)
        SigV4Auth(self._credentials(), SIGNING_SERVICE, self.region).add_auth(signed)
        try:
            response = self._http.request(
                request.method.upper(),
                url,
                data=data,
                headers=dict(signed.headers.items()),
                timeout=self.timeout,
                allow_redirects=False,  # a redirect would be sent unsigned
            )
        except requests.Timeout as exc:
            raise DataplaneUnavailableError(
                f"dataplane did not answer {request.method} {request.path} within {self.timeout}s",
                status_code=0,
                code="Timeout",
            ) from exc
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise DataplaneUnavailableError(
                f"cannot reach the dataplane at {self.endpoint}: {exc}", status_code=0, code="ConnectionError"
            ) from exc
        return DataplaneResponse(response.status_code, decode_body(response.content))

    def _credentials(self) -> Any:
        credentials = self._session.get_credentials()
        if credentials is None:
            raise ConfigurationError("no AWS credentials found to sign dataplane requests")
        # Frozen per request: refreshable credentials (Lambda role, SSO) may rotate between calls.
        return credentials.get_frozen_credentials()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HttpTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@dataclass(frozen=True)
class InProcessContext:
    """The parts of a Lambda context object that handlers and Powertools read."""

    function_name: str = "medialens-dataplane-api"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:medialens-dataplane-api"
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/medialens-dataplane-api"
    log_stream_name: str = "in-process"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


ProxyHandler = Callable[[dict[str, Any], Any], Any]


class InProcessTransport:
    """Calls a dataplane API Lambda handler in this process, as API Gateway's proxy integration would."""

    def __init__(self, handler: ProxyHandler, *, stage: str = "api") -> None:
        self._handler = handler
        self._stage = stage

    def handle(self, request: DataplaneRequest) -> DataplaneResponse:
        data = request.encoded_body()
        event = build_proxy_event(
            request.method,
            request.path,
            query=request.query,
            headers={"Content-Type": JSON_CONTENT_TYPE, "Accept": JSON_CONTENT_TYPE},
            body=data,
            stage=self._stage,
        )
        try:
            result = self._handler(event, InProcessContext())
        except Exception as exc:
            # API Gateway answers 502 when the integration fails; keep the cause for debugging.
            raise DataplaneUnavailableError(
                f"dataplane handler failed on {request.method} {request.path}: {exc!r}",
                status_code=502,
                code=type(exc).__name__,
            ) from exc
        return parse_proxy_response(result)


def parse_proxy_response(result: Any) -> DataplaneResponse:
    """A Lambda proxy-integration result (`statusCode`, `body`, `isBase64Encoded`) as a response."""
    if not isinstance(result, Mapping) or not isinstance(result.get("statusCode"), int):
        raise DataplaneUnavailableError(
            "malformed Lambda proxy response: expected an object with an integer statusCode",
            status_code=502,
            code="MalformedProxyResponse",
        )
    raw: bytes | str | None = result.get("body")
    if result.get("isBase64Encoded") and isinstance(raw, str):
        try:
            raw = base64.b64decode(raw, validate=True)
        except binascii.Error as exc:
            raise DataplaneUnavailableError(
                "malformed Lambda proxy response: body is not base64",
                status_code=502,
                code="MalformedProxyResponse",
            ) from exc
    return DataplaneResponse(result["statusCode"], decode_body(raw))
