"""Errors the workflow API answers with, each carrying its HTTP status and wire code.

    WorkflowApiError              500 InternalError (base; never raised for a client's mistake)
    ├── BadRequestError           400 BadRequest
    │   └── InvalidCursorError    400 InvalidCursor
    ├── ResourceNotFoundError     404 NotFound
    ├── ConflictError             409 Conflict
    └── StateMachineError         502 StateMachineError (Step Functions refused a generated machine)

Every error reaches the client as JSON `{"Code": ..., "Message": ...}`.
"""

from __future__ import annotations

from api.common.http_errors import (
    ApiError,
    BadRequestError,
    ConflictError,
    InvalidCursorError,
    ResourceNotFoundError,
)

WorkflowApiError = ApiError


class StateMachineError(ApiError):
    status = 502
    code = "StateMachineError"


__all__ = [
    "BadRequestError",
    "ConflictError",
    "InvalidCursorError",
    "ResourceNotFoundError",
    "StateMachineError",
    "WorkflowApiError",
]
