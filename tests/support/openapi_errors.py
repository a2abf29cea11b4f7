"""What both APIs' OpenAPI documents must say about errors and parameters (api.common.openapi_document)."""

from __future__ import annotations

import json
from typing import Any

ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorResponse"}
GATEWAY_ERROR_SCHEMA = {"$ref": "#/components/schemas/GatewayErrorResponse"}
TOO_LARGE_SCHEMA = {"anyOf": [ERROR_SCHEMA, GATEWAY_ERROR_SCHEMA]}


def expected_error_schema(status: str) -> dict[str, Any]:
    """API Gateway's body for its 403, either body for 413, the APIs' own for the rest."""
    return {"403": GATEWAY_ERROR_SCHEMA, "413": TOO_LARGE_SCHEMA}.get(status, ERROR_SCHEMA)


def assert_errors_of_each_kind(document: dict[str, Any]) -> None:
    """400 where there is anything to validate, 413/415 where there is a body, 403 but on `GET /`."""
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = set(operation["responses"])
            if operation.get("parameters") or operation.get("requestBody"):
                assert "400" in responses, (method, path)
            if operation.get("requestBody"):
                assert {"413", "415"} <= responses, (method, path)
            assert ("403" in responses) == ((method, path) != ("get", "/")), (method, path)


def assert_no_nullable_parameter(document: dict[str, Any]) -> None:
    """A path or query value is a string (or absent): a `null` in its schema invites clients to send one."""
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                assert "null" not in json.dumps(parameter["schema"]), (method, path, parameter["name"])
