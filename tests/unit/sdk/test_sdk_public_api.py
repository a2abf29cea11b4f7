from __future__ import annotations

import MediaInsightsEngineLambdaHelper
import medialens_helper
from medialens_helper import errors


def test_public_names_are_locked() -> None:
    assert sorted(medialens_helper.__all__) == [
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
    for name in medialens_helper.__all__:
        assert getattr(medialens_helper, name) is not None


def test_mie_package_reexports_the_same_objects() -> None:
    assert sorted(MediaInsightsEngineLambdaHelper.__all__) == [
        "DataPlane",
        "MasExecutionError",
        "MediaInsightsOperationHelper",
        "OutputHelper",
        "Status",
    ]
    for name in MediaInsightsEngineLambdaHelper.__all__:
        assert getattr(MediaInsightsEngineLambdaHelper, name) is getattr(medialens_helper, name)


def test_only_transient_errors_are_retryable() -> None:
    # The state machines retry on class names; an operator failure must never be among them.
    assert errors.MasExecutionError.__name__ not in errors.TRANSIENT_ERROR_NAMES
    assert errors.DataplaneNotFoundError.__name__ not in errors.TRANSIENT_ERROR_NAMES
    assert errors.DataplaneUnavailableError.__name__ in errors.TRANSIENT_ERROR_NAMES
    assert issubclass(errors.DataplaneUnavailableError, errors.TransientError)
    assert issubclass(errors.DataplaneUnavailableError, errors.DataplaneError)
    assert not issubclass(errors.MasExecutionError, errors.TransientError)
