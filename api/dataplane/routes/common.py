"""What the route modules share: path parameter types, the services lookup, error docs (`errors`)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.request import Request

from api.common.openapi_document import error_responses as errors
from api.dataplane.context import Services, ServicesProvider
from api.dataplane.layout import ASSET_ID_PATTERN, NAME_PATTERN

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


__all__ = ["AssetId", "OperatorName", "ServicesDep", "WorkflowId", "errors"]
