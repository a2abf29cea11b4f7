"""Retries for the first calls after a deploy, while fresh IAM grants and the API stage go live.

Right after CloudFormation creates them, a role's new `execute-api:Invoke` grant and a new API
stage can take seconds to answer as they will: 403 or 5xx, or no connection at all. Those are
retried with a bounded backoff; every other answer is returned at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from aws_lambda_powertools import Logger
from medialens_helper import DataplaneRequest, DataplaneResponse, DataplaneUnavailableError, Transport

logger = Logger(child=True)

# Per request about 90 s, far over IAM's usual propagation time; and at most DEFAULT_BUDGET of
# sleeping across all requests of one invocation, far under the function's 5-minute timeout.
DEFAULT_DELAYS: tuple[float, ...] = (1, 2, 4, 8, 15, 15, 15, 15, 15)
DEFAULT_BUDGET_SECONDS = 150.0
RETRIED_STATUSES = frozenset({403, 429, 500, 502, 503, 504})


class RetryingTransport:
    def __init__(
        self,
        inner: Transport,
        *,
        delays: Sequence[float] = DEFAULT_DELAYS,
        budget_seconds: float = DEFAULT_BUDGET_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._inner = inner
        self._delays = tuple(delays)
        self._budget = budget_seconds
        self._slept = 0.0
        self._sleep = sleep

    def handle(self, request: DataplaneRequest) -> DataplaneResponse:
        for delay in self._delays:
            if self._slept + delay > self._budget:
                break  # the invocation's waiting is spent: answer with what the API says now
            try:
                response = self._inner.handle(request)
            except DataplaneUnavailableError as exc:
                logger.info("workflow API unreachable, retrying", extra={"error": str(exc), "delay": delay})
            else:
                if response.status_code not in RETRIED_STATUSES:
                    return response
                logger.info(
                    "workflow API not ready, retrying",
                    extra={"path": request.path, "status": response.status_code, "delay": delay},
                )
            self._sleep(delay)
            self._slept += delay
        return self._inner.handle(request)  # the last answer (or error) stands
