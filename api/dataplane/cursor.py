"""Opaque, signed pagination cursors.

A cursor is `b64url(payload) "." b64url(HMAC-SHA256(key, payload))`, where the payload is compact
JSON naming the route kind, the scope the cursor belongs to (asset, operator) and the position.
MIE's cursors carried raw S3 keys a client could edit; these are checked before anything is read,
and a cursor minted for one asset, operator or route is refused on any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.common.http_errors import InvalidCursorError
from api.common.signed_documents import SignedDocuments

CURSOR_VERSION = 1
MAX_CURSOR_LENGTH = 4096


class CursorCodec:
    def __init__(self, key: bytes) -> None:
        self._tokens = SignedDocuments(key, max_length=MAX_CURSOR_LENGTH)

    def encode(self, kind: str, scope: Mapping[str, str], position: Mapping[str, Any]) -> str:
        document = {"v": CURSOR_VERSION, "k": kind, "s": dict(scope), "p": dict(position)}
        return self._tokens.seal(document)

    def decode(self, token: str, kind: str, scope: Mapping[str, str]) -> dict[str, Any]:
        """The position inside `token`, if it is authentic and was issued for `kind` and `scope`."""
        document = self._tokens.open(token)
        if (
            document.get("v") != CURSOR_VERSION
            or document.get("k") != kind
            or document.get("s") != dict(scope)
            or not isinstance(document.get("p"), dict)
        ):
            raise InvalidCursorError()
        position: dict[str, Any] = document["p"]
        return position
