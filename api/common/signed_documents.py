"""Opaque tokens carrying a small JSON document, authenticated with HMAC-SHA256.

A token is `b64url(payload) "." b64url(HMAC-SHA256(key, payload))`. The MAC is checked before the
payload is parsed, so nothing from a forged token is ever used; any failure is the same
`InvalidCursorError`, which tells a forger nothing about which check failed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from api.common.http_errors import InvalidCursorError


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SignedDocuments:
    def __init__(self, key: bytes, *, max_length: int) -> None:
        if not key:
            raise ValueError("cursor signing key must not be empty")
        self._key = key
        self._max_length = max_length

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()

    def seal(self, document: dict[str, Any]) -> str:
        payload = json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return f"{_b64encode(payload)}.{_b64encode(self._sign(payload))}"

    def open(self, token: str) -> dict[str, Any]:
        """The document inside `token`, if it is authentic; InvalidCursorError otherwise."""
        if len(token) > self._max_length or token.count(".") != 1:
            raise InvalidCursorError()
        encoded_payload, encoded_mac = token.split(".")
        try:
            payload = _b64decode(encoded_payload)
            mac = _b64decode(encoded_mac)
        except (binascii.Error, ValueError) as exc:
            raise InvalidCursorError() from exc
        if not hmac.compare_digest(mac, self._sign(payload)):
            raise InvalidCursorError()
        try:
            document = json.loads(payload)
        except ValueError as exc:
            raise InvalidCursorError() from exc
        if not isinstance(document, dict):
            raise InvalidCursorError()
        return document
