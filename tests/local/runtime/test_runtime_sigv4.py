"""SigV4 verification on plain werkzeug requests (no server needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug import Request
from werkzeug.test import EnvironBuilder

from medialens.runtime.sigv4 import SignatureError, verify_request

from .conftest import CREDENTIALS
from .signing import sign

BASE = "http://127.0.0.1:8080"


def _request(method: str, path_and_query: str, body: bytes, headers: dict[str, str]) -> Request:
    path, _, query = path_and_query.partition("?")
    builder = EnvironBuilder(
        method=method, base_url=BASE, path=path, query_string=query, data=body, headers=headers
    )
    environ = builder.get_environ()
    environ["RAW_URI"] = path_and_query  # as werkzeug's server passes it
    return Request(environ)


def test_valid_signature_names_the_caller() -> None:
    headers = sign("PUT", f"{BASE}/dataplane-api/x?b=2&a=1", b"data")
    caller = verify_request(_request("PUT", "/dataplane-api/x?b=2&a=1", b"data", headers), CREDENTIALS)
    assert caller.access_key_id == CREDENTIALS.access_key_id


def test_query_order_on_the_wire_does_not_matter() -> None:
    headers = sign("GET", f"{BASE}/api/x?a=1&b=2")
    verify_request(_request("GET", "/api/x?b=2&a=1", b"", headers), CREDENTIALS)


def test_content_hash_header_must_match_the_body() -> None:
    headers = sign("POST", f"{BASE}/api/x", b"one", headers={"X-Amz-Content-SHA256": "0" * 64})
    with pytest.raises(SignatureError, match="x-amz-content-sha256"):
        verify_request(_request("POST", "/api/x", b"one", headers), CREDENTIALS)


def test_clock_skew_is_fifteen_minutes() -> None:
    headers = sign("GET", f"{BASE}/api/x")
    request = _request("GET", "/api/x", b"", headers)
    verify_request(request, CREDENTIALS, now=datetime.now(UTC) + timedelta(minutes=14))
    with pytest.raises(SignatureError, match="Signature expired"):
        verify_request(request, CREDENTIALS, now=datetime.now(UTC) + timedelta(minutes=16))


def test_other_service_scope_is_rejected() -> None:
    headers = sign("GET", f"{BASE}/api/x")
    headers["Authorization"] = headers["Authorization"].replace("/execute-api/", "/s3/")
    with pytest.raises(SignatureError, match="service"):
        verify_request(_request("GET", "/api/x", b"", headers), CREDENTIALS)
