"""The Medialens operator SDK: MIE's helper library, typed, with a pluggable dataplane transport.

    from medialens_helper import MediaInsightsOperationHelper, DataPlane, MasExecutionError

Operators written for MIE import the same names from `MediaInsightsEngineLambdaHelper`.
"""

from __future__ import annotations

from .dataplane import DataPlane
from .errors import (
    ConfigurationError,
    DataplaneBadRequestError,
    DataplaneConflictError,
    DataplaneError,
    DataplaneForbiddenError,
    DataplaneNotFoundError,
    DataplaneUnavailableError,
    InvalidOperatorEventError,
    MasExecutionError,
    MedialensError,
    TransientError,
)
from .operation import MediaInsightsOperationHelper
from .output import OutputHelper
from .status import Status
from .transport import DataplaneRequest, DataplaneResponse, HttpTransport, InProcessTransport, Transport

__all__ = [
    "ConfigurationError",
    "DataPlane",
    "DataplaneBadRequestError",
    "DataplaneConflictError",
    "DataplaneError",
    "DataplaneForbiddenError",
    "DataplaneNotFoundError",
    "DataplaneRequest",
    "DataplaneResponse",
    "DataplaneUnavailableError",
    "HttpTransport",
    "InProcessTransport",
    "InvalidOperatorEventError",
    "MasExecutionError",
    "MediaInsightsOperationHelper",
    "MedialensError",
    "OutputHelper",
    "Status",
    "TransientError",
    "Transport",
]
