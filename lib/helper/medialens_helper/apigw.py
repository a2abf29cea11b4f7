"""Build API Gateway REST (v1) proxy events, as API Gateway hands them to a Lambda.

The local API front and the in-process dataplane transport both use this, so the handlers see
the same event shape locally as on AWS.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote


def build_proxy_event(
    method: str,
    path: str,
    *,
    query: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    body: bytes | str | None = None,
    stage: str = "api",
    source_ip: str = "127.0.0.1",
    caller_arn: str | None = None,
    is_base64: bool = False,
) -> dict[str, Any]:
    """A REST API proxy-integration event for `method path` (path without stage or base path)."""
    if isinstance(body, bytes):
        try:
            text_body: str | None = body.decode("utf-8")
        except UnicodeDecodeError:
            text_body, is_base64 = base64.b64encode(body).decode("ascii"), True
    else:
        text_body = body
    header_map = dict(headers or {})
    query_map = dict(query or {}) or None
    now = time.time()
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method.upper(),
        "headers": header_map or None,
        "multiValueHeaders": {k: [v] for k, v in header_map.items()} or None,
        "queryStringParameters": query_map,
        "multiValueQueryStringParameters": {k: [v] for k, v in query_map.items()} if query_map else None,
        "pathParameters": {"proxy": unquote(path.lstrip("/"))},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method.upper(),
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(now * 1000),
            "protocol": "HTTP/1.1",
            "identity": {"sourceIp": source_ip, "userArn": caller_arn, "caller": caller_arn},
            "authorizer": None,
        },
        "body": text_body,
        "isBase64Encoded": is_base64,
    }
