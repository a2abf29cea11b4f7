"""Errors the dataplane API answers with, each carrying its HTTP status and wire code.

    DataplaneError (= api.common ApiError)  500 InternalError (base; client faults use a subclass)
    ├── BadRequestError           400 BadRequest
    │   └── InvalidCursorError    400 InvalidCursor
    ├── ResourceNotFoundError     404 NotFound
    ├── ConflictError             409 Conflict
    └── PayloadTooLargeError      413 PayloadTooLarge

Every error reaches the client as JSON `{"Code": ..., "Message": ...}`.
"""

from __future__ import annotations

from api.common.http_errors import (
    ApiError,
    BadRequestError,
    ConflictError,
    InvalidCursorError,
    PayloadTooLargeError,
    ResourceNotFoundError,
)

DataplaneError = ApiError


__all__ = [
    "BadRequestError",
    "ConflictError",
    "DataplaneError",
    "InvalidCursorError",
    "PayloadTooLargeError",
    "ResourceNotFoundError",
]
