"""Request bodies a fuzzer found answered with 500, each with the 4xx both APIs must answer.

`(id, Content-Type, body, status, words of the message)`; every route that takes a body is sent
every one of them (tests/functional/*/test_*_request_bodies.py).
"""

from __future__ import annotations

from typing import NamedTuple


class MalformedBody(NamedTuple):
    id: str
    content_type: str
    body: bytes
    status: int
    message: str


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


MALFORMED_BODIES = [
    MalformedBody("not-utf8", "application/json", b'{"Name": "\xff\xfe"}', 400, "not UTF-8"),
    MalformedBody("multipart-without-boundary", "multipart/form-data", b"Name=x", 415, "application/json"),
    MalformedBody("form-encoded", "application/x-www-form-urlencoded", b"Name=x", 415, "application/json"),
    MalformedBody("text", "text/plain", b'{"Name": "x"}', 415, "application/json"),
    MalformedBody("nested-1000-deep", "application/json", nested(1000), 400, "the limit is 64"),
    MalformedBody("nan", "application/json", b'{"Name": NaN}', 400, "NaN"),
    MalformedBody("infinite-number", "application/json", b'{"Name": 1e999}', 400, "out of range"),
    MalformedBody(
        "huge-integer", "application/json", b'{"Name": ' + b"9" * 5000 + b"}", 400, "cannot be read"
    ),
    MalformedBody("lone-surrogate", "application/json", b'{"Name": "\\ud800"}', 400, "surrogate"),
    MalformedBody("truncated", "application/json", b'{"Name": ', 400, "not valid JSON"),
]
