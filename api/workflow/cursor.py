"""Opaque, signed list cursors: `b64url(payload) "." b64url(HMAC-SHA256(key, payload))`.

The payload names the list it belongs to (operation, stage, workflow) and the last name returned.
A cursor is authenticated before anything in it is used, and one minted for another list is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

from api.workflow.errors import InvalidCursorError

CURSOR_VERSION = 1
MAX_CURSOR_LENGTH = 1024


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("cursor signing key must not be empty")
        self._key = key

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()

    def encode(self, kind: str, after: str) -> str:
        document = {"v": CURSOR_VERSION, "k": kind, "a": after}
        payload = json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return f"{_b64encode(payload)}.{_b64encode(self._sign(payload))}"

    def decode(self, token: str, kind: str) -> str:
        """The name to continue after, if `token` is authentic and was issued for `kind`."""
        if len(token) > MAX_CURSOR_LENGTH or token.count(".") != 1:
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
        if (
            not isinstance(document, dict)
            or document.get("v") != CURSOR_VERSION
            or document.get("k") != kind
            or not isinstance(document.get("a"), str)
        ):
            raise InvalidCursorError()
        after: str = document["a"]
        return after
