"""Opaque, signed list cursors: `b64url(payload) "." b64url(HMAC-SHA256(key, payload))`.

The payload names the list it belongs to (operation, stage, workflow) and the last name returned.
A cursor is authenticated before anything in it is used, and one minted for another list is refused.
"""

from __future__ import annotations

from api.common.http_errors import InvalidCursorError
from api.common.signed_documents import SignedDocuments

CURSOR_VERSION = 1
MAX_CURSOR_LENGTH = 1024


class CursorCodec:
    def __init__(self, key: bytes) -> None:
        self._tokens = SignedDocuments(key, max_length=MAX_CURSOR_LENGTH)

    def encode(self, kind: str, after: str) -> str:
        document = {"v": CURSOR_VERSION, "k": kind, "a": after}
        return self._tokens.seal(document)

    def decode(self, token: str, kind: str) -> str:
        """The name to continue after, if `token` is authentic and was issued for `kind`."""
        document = self._tokens.open(token)
        if (
            document.get("v") != CURSOR_VERSION
            or document.get("k") != kind
            or not isinstance(document.get("a"), str)
        ):
            raise InvalidCursorError()
        after: str = document["a"]
        return after
