"""What every router needs: the invocation's services, list pagination, error docs (`errors`)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import Router

from api.common.messages import dumps
from api.common.openapi_document import error_responses as errors
from api.workflow.models import NAME_PATTERN, STAGE_REF_PATTERN
from api.workflow.wiring import Services

NEXT_CURSOR_HEADER = "X-Next-Cursor"
DEFAULT_LIMIT = 100
MAX_LIMIT = 100

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Most items to return")]
Cursor = Annotated[
    str | None, Query(max_length=1024, description=f"The {NEXT_CURSOR_HEADER} header of the previous page")
]

# Path parameters keep MIE's name, `Name`.
DefinitionNameParam = Annotated[str, Path(pattern=NAME_PATTERN, description="Operation or workflow name")]
StageNameParam = Annotated[str, Path(pattern=STAGE_REF_PATTERN, description="Stage name")]


# Set by the handler for the request being resolved. A context variable, not the routers' context:
# module-level routers point at one resolver, and the local runtime resolves on several threads.
CURRENT_SERVICES: ContextVar[Services] = ContextVar("workflow_api_services")


def services(router: Router) -> Services:
    """The services of the request being handled (`router` names the caller's resource)."""
    return CURRENT_SERVICES.get()


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(status, "application/json", dumps(body), headers=headers)


# A list route's answer: MIE's plain JSON array (so its OpenAPI schema is an array of objects).
Page = Response[list[dict[str, Any]]]


def paged(router: Router, kind: str, items: list[dict[str, Any]], next_after: str | None) -> Page:
    """A page as MIE's plain JSON list; the cursor for the next page, if any, in a header."""
    headers = {}
    if next_after is not None:
        headers[NEXT_CURSOR_HEADER] = services(router).cursors.encode(kind, next_after)
    return Response(200, "application/json", items, headers=headers)


def after(router: Router, kind: str, cursor: str | None) -> str | None:
    return None if cursor is None else services(router).cursors.decode(cursor, kind)


__all__ = [
    "CURRENT_SERVICES",
    "DEFAULT_LIMIT",
    "NEXT_CURSOR_HEADER",
    "Cursor",
    "DefinitionNameParam",
    "Limit",
    "Page",
    "StageNameParam",
    "after",
    "errors",
    "json_response",
    "paged",
    "services",
]
