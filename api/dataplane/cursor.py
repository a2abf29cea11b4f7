"""Opaque, signed pagination cursors.

A cursor is `b64url(payload) "." b64url(HMAC-SHA256(key, payload))`, where the payload is compact
JSON naming the route kind, the scope the cursor belongs to (asset, operator) and the position.
MIE's cursors carried raw S3 keys a client could edit; these are checked before anything is read,
and a cursor minted for one asset, operator or route is refused on any other.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from api.dataplane.errors import InvalidCursorError

CURSOR_VERSION = 1
MAX_CURSOR_LENGTH = 4096


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

    def encode(self, kind: str, scope: Mapping[str, str], position: Mapping[str, Any]) -> str:
        document = {"v": CURSOR_VERSION, "k": kind, "s": dict(scope), "p": dict(position)}
        payload = json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return f"{_b64encode(payload)}.{_b64encode(self._sign(payload))}"

    def decode(self, token: str, kind: str, scope: Mapping[str, str]) -> dict[str, Any]:
        """The position inside `token`, if it is authentic and was issued for `kind` and `scope`."""
        if len(token) > MAX_CURSOR_LENGTH or token.count(".") != 1:
            raise InvalidCursorError()
        encoded_payload, encoded_mac = token.split(".")
        try:
            payload = _b64decode(encoded_payload)
            mac = _b64decode(encoded_mac)
        except (binascii.Error, ValueError) as exc:
            raise InvalidCursorError() from exc
        # Authenticate before parsing: nothing from an unsigned payload is ever used.
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
            or document.get("s") != dict(scope)
            or not isinstance(document.get("p"), dict)
        ):
            raise InvalidCursorError()
        position: dict[str, Any] = document["p"]
        return position
