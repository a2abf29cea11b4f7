"""What the route modules share: path parameter types, the services lookup, error docs."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.request import Request

from api.dataplane.context import Services, ServicesProvider
from api.dataplane.layout import ASSET_ID_PATTERN, NAME_PATTERN
from api.dataplane.models import ErrorResponse

PROVIDER_CONTEXT_KEY = "dataplane_services"

AssetId = Annotated[str, Path(pattern=ASSET_ID_PATTERN, description="Asset id (a UUID)")]
WorkflowId = Annotated[str, Path(pattern=NAME_PATTERN, description="Workflow execution id")]
OperatorName = Annotated[str, Path(pattern=NAME_PATTERN, description="Operator name")]


def _services(request: Request) -> Services:
    # Read from the resolving app's context, not a router's: module-level routers are shared by
    # every app built in the process (the handler's, the OpenAPI generator's, tests').
    provider: ServicesProvider = request.context[PROVIDER_CONTEXT_KEY]
    return provider.current()


ServicesDep = Annotated[Services, Depends(_services)]


def errors(*codes: int) -> dict[int, OpenAPIResponse]:
    """OpenAPI responses: success (schema from the return type) plus the given error statuses."""
    text = {400: "Bad request", 404: "Not found", 409: "Conflict", 413: "Payload too large"}
    documented: dict[int, OpenAPIResponse] = {200: {"description": "Success"}}
    error_body: dict[str, Any] = {"application/json": {"model": ErrorResponse}}
    for code in codes:
        documented[code] = {"description": text[code], "content": error_body}
    return documented
