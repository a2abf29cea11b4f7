"""What both APIs' OpenAPI documents say about errors: the bodies, and which route answers which.

Parameters a route declares `str | None` are documented as strings (absent means the default).
A route declares the errors its own logic raises (`error_responses(404, 409)`); `finish` adds
those every route of a kind can answer, whatever its logic:

    400  a route with parameters or a body: a value the document does not allow
    413  a route with a body: larger than the API reads (or than API Gateway's 10 MB)
    415  a route with a body: not application/json
    403  every route but the health check (`GET /`): API Gateway's SigV4 (AWS_IAM) check

API Gateway's own answers (403, and 413 above its 10 MB) have its body `{"message": ...}`;
everything the APIs answer has `{"Code": ..., "Message": ...}`.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

ERROR_TEXT = {
    400: "Bad request: the message names the offending field",
    403: "Missing or invalid SigV4 signature (API Gateway's answer)",
    404: "Not found",
    409: "Conflict",
    413: "Request body too large",
    415: "Request body is not application/json",
    502: "State machine not deployed",
}
_COMPONENTS = "#/components/schemas/"


class ErrorResponse(BaseModel):
    """Every error the APIs answer."""

    Code: str
    Message: str


class GatewayErrorResponse(BaseModel):
    """API Gateway's own error answers (before the request reaches an API)."""

    message: str


def error_responses(*codes: int) -> dict[int, OpenAPIResponse]:
    """OpenAPI responses: success (schema from the return type) plus the given error statuses."""
    documented: dict[int, OpenAPIResponse] = {200: {"description": "Success"}}
    for code in codes:
        documented[code] = {
            "description": ERROR_TEXT[code],
            "content": {"application/json": {"model": ErrorResponse}},
        }
    return documented


def _error(code: int, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": ERROR_TEXT[code], "content": {"application/json": {"schema": schema}}}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _COMPONENTS + model.__name__}


def _not_nullable(parameter: dict[str, Any]) -> None:
    """A query value is a string or absent, never null: `str | None` documents as its string."""
    schema = parameter.get("schema", {})
    variants = schema.get("anyOf", [])
    present = [variant for variant in variants if variant != {"type": "null"}]
    if len(present) == 1 and len(variants) == 2:
        del schema["anyOf"]
        schema.update(present[0])


def finish(document: dict[str, Any]) -> dict[str, Any]:
    """`document` (as powertools generated it) with the errors above; changed in place and returned."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    # Powertools documents its 422; both APIs answer every validation failure with 400 instead.
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    for model in (ErrorResponse, GatewayErrorResponse):
        schemas[model.__name__] = model.model_json_schema()
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                _not_nullable(parameter)
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("400", _error(400, _ref(ErrorResponse)))
            if operation.get("requestBody"):
                too_large = {"anyOf": [_ref(ErrorResponse), _ref(GatewayErrorResponse)]}
                responses["413"] = _error(413, too_large)
                responses.setdefault("415", _error(415, _ref(ErrorResponse)))
            if (method, path) != ("get", "/"):
                responses["403"] = _error(403, _ref(GatewayErrorResponse))
    return document
