"""Errors an API answers with, each carrying its HTTP status and wire code.

    ApiError                      500 InternalError (base; never raised for a client's mistake)
    ├── BadRequestError           400 BadRequest
    │   └── InvalidCursorError    400 InvalidCursor
    ├── ResourceNotFoundError     404 NotFound
    ├── ConflictError             409 Conflict
    ├── PayloadTooLargeError      413 PayloadTooLarge
    └── UnsupportedMediaTypeError 415 UnsupportedMediaType

Each API adds its own kinds below `ApiError`. Every error reaches the client as JSON
`{"Code": ..., "Message": ...}`.
"""

from __future__ import annotations

from typing import ClassVar


class ApiError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "InternalError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, str]:
        return {"Code": self.code, "Message": self.message}


class BadRequestError(ApiError):
    status = 400
    code = "BadRequest"


class InvalidCursorError(BadRequestError):
    code = "InvalidCursor"

    def __init__(self) -> None:
        # One fixed message: never tell a forger which check failed.
        super().__init__("invalid cursor")


class ResourceNotFoundError(ApiError):
    status = 404
    code = "NotFound"


class ConflictError(ApiError):
    status = 409
    code = "Conflict"


class PayloadTooLargeError(ApiError):
    status = 413
    code = "PayloadTooLarge"


class UnsupportedMediaTypeError(ApiError):
    status = 415
    code = "UnsupportedMediaType"
