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

# About 90 s in all: far under the function's timeout, far over IAM's usual propagation time.
DEFAULT_DELAYS: tuple[float, ...] = (1, 2, 4, 8, 15, 15, 15, 15, 15)
RETRIED_STATUSES = frozenset({403, 429, 500, 502, 503, 504})


class RetryingTransport:
    def __init__(
        self,
        inner: Transport,
        *,
        delays: Sequence[float] = DEFAULT_DELAYS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._inner = inner
        self._delays = tuple(delays)
        self._sleep = sleep

    def handle(self, request: DataplaneRequest) -> DataplaneResponse:
        for delay in self._delays:
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
        return self._inner.handle(request)  # the last answer (or error) stands
