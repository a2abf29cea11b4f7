"""Turning an operator's failures into the errors the state machine expects.

- `OperatorError` (bad input, unusable media, a refused dataplane call, an unexpected error) →
  `MasExecutionError` carrying the output object with status Error and `<Name>Error` = the reason.
- `TransientError` (throttling, a dependency briefly down) passes through: the state machine retries
  only that kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from medialens_helper import DataplaneError, MasExecutionError, MediaInsightsOperationHelper, TransientError


class OperatorError(Exception):
    """The operator cannot do its work; the message is the reason the workflow shows."""


@contextmanager
def failures_reported(helper: MediaInsightsOperationHelper) -> Iterator[None]:
    """Within this block, every failure but a transient one becomes `helper.fail(reason)`."""
    try:
        yield
    except (MasExecutionError, TransientError):
        raise
    except OperatorError as failure:
        raise helper.fail(str(failure)) from failure
    except DataplaneError as exc:
        raise helper.fail(f"the dataplane refused the request: {exc}") from exc
    except Exception as exc:
        # A bug or an unforeseen input: still a recorded failure, never a bare crash.
        raise helper.fail(f"unexpected {type(exc).__name__}: {exc}") from exc
