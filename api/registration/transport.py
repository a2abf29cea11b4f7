"""Retries for the first calls after a deploy, while fresh IAM grants and the API stage go live.

Right after CloudFormation creates them, a role's new `execute-api:Invoke` grant and a new API
stage can take seconds to answer as they will: 403 or 5xx, or no connection at all. Those are
retried with a bounded backoff; every other answer is returned at once.

One transport serves one invocation and holds one deadline for all its requests, so many
definitions against an API that keeps refusing cannot outlive the function's timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from aws_lambda_powertools import Logger
from medialens_helper import DataplaneRequest, DataplaneResponse, DataplaneUnavailableError, Transport

logger = Logger(child=True)

# About 60 s of waiting for one request, far over IAM's usual propagation time.
DEFAULT_DELAYS: tuple[float, ...] = (1, 2, 4, 8, 15, 15, 15)
# Waiting plus calls of one invocation; the function's timeout (5 min) leaves room for the last calls.
DEFAULT_BUDGET_SECONDS = 90.0
RETRIED_STATUSES = frozenset({403, 429, 500, 502, 503, 504})


class RetryingTransport:
    def __init__(
        self,
        inner: Transport,
        *,
        delays: Sequence[float] = DEFAULT_DELAYS,
        budget_seconds: float = DEFAULT_BUDGET_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner = inner
        self._delays = tuple(delays)
        self._sleep = sleep
        self._clock = clock
        self._deadline = clock() + budget_seconds

    def handle(self, request: DataplaneRequest) -> DataplaneResponse:
        for delay in self._delays:
            if self._clock() + delay > self._deadline:
                break  # the invocation's time is spent: answer with what the API says now
            try:
                response = self._inner.handle(request)
            except DataplaneUnavailableError as exc:
                logger.info("workflow API unreachable, retrying", extra={"error": str(exc), "delay": delay})
            else:
                if response.status_code not in RETRIED_STATUSES:
                    return response
                logger.info(
                    "workflow API not ready, retrying",
                    extra={"method": request.method, "path": request.path, "status": response.status_code},
                )
            self._sleep(delay)
        return self._inner.handle(request)  # the last answer (or error) stands
