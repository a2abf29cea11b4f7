"""Retry and Catch lists shared by every generated Task: retry the transient, catch the rest."""

from __future__ import annotations

from medialens_helper.errors import TRANSIENT_ERROR_NAMES

from api.workflow.asl import STATES_ALL, Catcher, Retrier

# Lambda's own service failures, on top of the SDK's list (which names most of them already).
LAMBDA_SERVICE_ERRORS = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)
RETRIED_ERRORS: tuple[str, ...] = tuple(dict.fromkeys((*TRANSIENT_ERROR_NAMES, *LAMBDA_SERVICE_ERRORS)))
# AWS does not let States.ALL catch an oversized result, so it is named on its own, first.
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"


def transient_retry() -> list[Retrier]:
    return [Retrier(list(RETRIED_ERRORS), interval_seconds=2, max_attempts=3, backoff_rate=2.0)]


def catch_all(next_state: str, result_path: str) -> list[Catcher]:
    return [
        Catcher([DATA_LIMIT_EXCEEDED], next=next_state, result_path=result_path),
        Catcher([STATES_ALL], next=next_state, result_path=result_path),
    ]
