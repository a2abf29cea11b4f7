"""The dataplane API as a Powertools resolver: routers mounted, errors mapped to JSON bodies."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from api.common import request_body
from api.common.messages import dumps, validation_message
from api.dataplane.context import ServicesProvider
from api.dataplane.errors import BadRequestError, DataplaneError, ResourceNotFoundError
from api.dataplane.routes import ROUTERS
from api.dataplane.routes.common import PROVIDER_CONTEXT_KEY

logger = logging.getLogger(__name__)

API_TITLE = "Medialens dataplane API"
API_VERSION = "1.0.0"
# Lambda's limit for a synchronous request (6 MiB); a page of Results is at most 5 MiB of it.
MAX_BODY_BYTES = 6 * 1024 * 1024


def _error(status: int, code: str, message: str) -> Response[dict[str, str]]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body={"Code": code, "Message": message},
    )


def _describe(errors: Sequence[Any]) -> str:
    """One readable line naming each offending field, e.g. `Page: Input should be ..., got "x"`."""
    return "invalid request: " + validation_message(errors)


class DataplaneResolver(APIGatewayRestResolver):
    """Carries the services provider into each request's routing context."""

    def __init__(self, provider: ServicesProvider) -> None:
        super().__init__(enable_validation=True, serializer=dumps)
        request_body.install(self, MAX_BODY_BYTES)
        self.provider = provider

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        self.append_context(**{PROVIDER_CONTEXT_KEY: self.provider})
        return super().resolve(event, context)


def build_app(provider: ServicesProvider | None = None) -> DataplaneResolver:
    app = DataplaneResolver(provider or ServicesProvider())
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(DataplaneError)
    def _dataplane_error(exc: DataplaneError) -> Response[dict[str, str]]:
        if exc.status >= 500:
            logger.exception("dataplane error")
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    def _validation_error(exc: RequestValidationError) -> Response[dict[str, str]]:
        # Powertools answers 422; the contract (and MIE) say 400 for a bad request.
        return _error(HTTPStatus.BAD_REQUEST, BadRequestError.code, _describe(exc.errors()))

    @app.not_found
    def _no_route(exc: NotFoundError) -> Response[dict[str, str]]:
        event = app.current_event
        return _error(
            HTTPStatus.NOT_FOUND, ResourceNotFoundError.code, f"no route for {event.http_method} {event.path}"
        )

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[dict[str, str]]:
        # Details go to the log, never to the client.
        logger.exception("unhandled error")
        return _error(HTTPStatus.INTERNAL_SERVER_ERROR, DataplaneError.code, "internal error")

    return app
