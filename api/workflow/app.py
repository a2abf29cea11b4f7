"""The resolver: routers mounted, and every error turned into `{"Code", "Message"}` JSON.

Validation errors (powertools answers 422) become 400 naming each field, so a client's mistake is
always a 4xx with a reason; anything unexpected is a 500 that reveals nothing internal.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestValidationError,
)

from api.common import request_body
from api.common.messages import dumps, validation_message
from api.common.openapi_document import finish
from api.workflow.errors import BadRequestError, WorkflowApiError
from api.workflow.models import LAMBDA_ARN_PATTERN, NAME_PATTERN, ROLE_ARN_PATTERN, STAGE_REF_PATTERN
from api.workflow.routes import executions, operations, root, stages, system, workflows
from api.workflow.routes.common import json_response

logger = logging.getLogger(__name__)

# Definitions and execution requests are small; every body is stored in one DynamoDB item (400 KB).
MAX_BODY_BYTES = 64 * 1024
# What a user reads instead of the regular expressions the models check names and ARNs with.
PATTERN_WORDS = {
    NAME_PATTERN: "1 to 64 letters, digits, - or _, starting with a letter or digit",
    STAGE_REF_PATTERN: "a stage name: 1 to 64 letters, digits, - or _ (a leading _ for a singleton stage)",
    LAMBDA_ARN_PATTERN: "a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)",
    ROLE_ARN_PATTERN: "an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
}


def openapi_document(app: APIGatewayRestResolver) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(
            title=root.API_NAME,
            version=root.API_VERSION,
            description="Operations, stages, workflows and system configuration (MIE-compatible).",
        )
    )
    return finish(document)


def create_app() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True, serializer=dumps)
    request_body.install(app, MAX_BODY_BYTES)
    app.include_router(root.router)
    app.include_router(system.router)
    app.include_router(operations.router)
    app.include_router(stages.router)
    app.include_router(executions.router)  # before `workflows`: /workflow/execution is not a workflow
    app.include_router(workflows.router)

    @app.get(root.OPENAPI_PATH, summary="This API's OpenAPI document", include_in_schema=False)
    def get_openapi() -> Response[str]:
        return json_response(openapi_document(app))

    @app.exception_handler(WorkflowApiError)
    def handle_api_error(exc: WorkflowApiError) -> Response[str]:
        if exc.status >= 500:
            logger.error("request failed: %s", exc.message)
        return json_response(exc.body(), status=exc.status)

    @app.exception_handler(RequestValidationError)
    def handle_validation_error(exc: RequestValidationError) -> Response[str]:
        message = validation_message(exc.errors(), PATTERN_WORDS)
        return json_response({"Code": BadRequestError.code, "Message": message}, status=400)

    @app.not_found
    def handle_not_found(exc: NotFoundError) -> Response[str]:
        path = app.current_event.path
        return json_response(
            {"Code": "NotFound", "Message": f"no route for {app.current_event.http_method} {path}"}, 404
        )

    @app.exception_handler(Exception)
    def handle_unexpected(exc: Exception) -> Response[str]:
        logger.exception("unexpected error")
        return json_response({"Code": "InternalError", "Message": "internal error"}, status=500)

    return app
