"""The exceptions operators and the SDK raise.

Class names are part of the state-machine contract: a Python Lambda reports the class name as
`errorType`, and the generated `Retry` / `Catch` blocks match on it. Never rename a class here.

    MedialensError
    ├── ConfigurationError            the SDK lacks configuration (endpoint variable, credentials)
    ├── MasExecutionError             an operator failed; the workflow records the reason
    ├── InvalidOperatorEventError     the event given to an operator is not a workflow event
    ├── TransientError                worth retrying (throttling, a dependency briefly down)
    │   └── DataplaneUnavailableError (also a DataplaneError)
    └── DataplaneError                the dataplane answered with an error status
        ├── DataplaneBadRequestError  400: the request was malformed
        ├── DataplaneForbiddenError   403: not signed, or signed wrongly
        ├── DataplaneNotFoundError    404: no such asset / operator result
        └── DataplaneConflictError    409: the request conflicts with stored state
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class MedialensError(Exception):
    """Root of every exception the platform raises on purpose."""


class ConfigurationError(MedialensError):
    """The SDK cannot start: an environment variable or credentials are missing."""


class MasExecutionError(MedialensError):
    """An operator failed. Raised by handlers after recording the failure on the output object.

    MIE operators raise it with their output object: `raise MasExecutionError(helper.return_output_object())`.
    The Lambda runtime reports `str(error)` as `errorMessage`, so that object is rendered as JSON
    (not a Python repr) and the failure handler can read the operator's status and metadata back.
    """

    @property
    def output(self) -> dict[str, Any] | None:
        """The operator output object the error was raised with, if any."""
        if len(self.args) == 1 and isinstance(self.args[0], Mapping):
            return dict(self.args[0])
        return None

    def __str__(self) -> str:
        output = self.output
        if output is not None:
            return json.dumps(output, default=str)
        return super().__str__()


class InvalidOperatorEventError(MedialensError):
    """The Lambda event lacks what every operator event carries (Name, AssetId, WorkflowExecutionId...)."""


class TransientError(MedialensError):
    """A failure that may pass if the call is tried again; the only kind state machines retry."""


class DataplaneError(MedialensError):
    """The dataplane API answered with an error status."""

    def __init__(self, message: str, *, status_code: int, code: str | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code


class DataplaneBadRequestError(DataplaneError):
    """400: the dataplane rejected the request as malformed."""


class DataplaneForbiddenError(DataplaneError):
    """403: the request was not signed, or not signed with valid credentials."""


class DataplaneNotFoundError(DataplaneError):
    """404: the asset or operator result does not exist."""


class DataplaneConflictError(DataplaneError):
    """409: the request conflicts with what is stored."""


class DataplaneUnavailableError(TransientError, DataplaneError):
    """5xx, throttling, or no connection: the dataplane could not answer now."""


# Error names the generated state machines retry (with backoff) before failing a task.
TRANSIENT_ERROR_NAMES: tuple[str, ...] = (
    TransientError.__name__,
    DataplaneUnavailableError.__name__,
    "Lambda.ServiceException",
    "Lambda.TooManyRequestsException",
    "Lambda.SdkClientException",
)


def error_for_status(status_code: int, message: str, code: str | None = None) -> DataplaneError:
    """The typed error for a dataplane response status."""
    kinds: dict[int, type[DataplaneError]] = {
        400: DataplaneBadRequestError,
        403: DataplaneForbiddenError,
        404: DataplaneNotFoundError,
        409: DataplaneConflictError,
        413: DataplaneBadRequestError,
    }
    if status_code in kinds:
        return kinds[status_code](message, status_code=status_code, code=code)
    if status_code == 429 or status_code >= 500:
        return DataplaneUnavailableError(message, status_code=status_code, code=code)
    return DataplaneError(message, status_code=status_code, code=code)
