"""Lambda entry point of the dataplane API (API Gateway REST proxy integration)."""

from __future__ import annotations

import functools
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from api.dataplane.app import DataplaneResolver, build_app


@functools.cache
def get_app() -> DataplaneResolver:
    # Built once per container: route compilation is the costly part of a cold start.
    return build_app()


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return get_app().resolve(event, context)
