"""`GET /`: what this API is, and where its OpenAPI document lives."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.router import Router

API_NAME = "Medialens workflow API"
API_VERSION = "1.0.0"
OPENAPI_PATH = "/openapi.json"

router = Router()


@router.get("/", summary="API information")
def get_root() -> dict[str, Any]:
    return {"Name": API_NAME, "ApiVersion": API_VERSION, "OpenApi": OPENAPI_PATH}
