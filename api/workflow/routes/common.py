"""What every router needs: the invocation's services, and list pagination."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import Router
from pydantic import BaseModel

from api.common.messages import dumps
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


class ErrorResponse(BaseModel):
    Code: str
    Message: str


def errors(*codes: int) -> dict[int, OpenAPIResponse]:
    """OpenAPI responses: success plus the given error statuses, each an `ErrorResponse`."""
    text = {400: "Bad request", 404: "Not found", 409: "Conflict", 502: "State machine not deployed"}
    documented: dict[int, OpenAPIResponse] = {200: {"description": "Success"}}
    for code in codes:
        documented[code] = {
            "description": text[code],
            "content": {"application/json": {"model": ErrorResponse}},
        }
    return documented


# Set by the handler for the request being resolved. A context variable, not the routers' context:
# module-level routers point at one resolver, and the local runtime resolves on several threads.
CURRENT_SERVICES: ContextVar[Services] = ContextVar("workflow_api_services")


def services(router: Router) -> Services:
    """The services of the request being handled (`router` names the caller's resource)."""
    return CURRENT_SERVICES.get()


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(status, "application/json", dumps(body), headers=headers)


def paged(router: Router, kind: str, items: list[dict[str, Any]], next_after: str | None) -> Response[str]:
    """A page as MIE's plain JSON list; the cursor for the next page, if any, in a header."""
    headers = {}
    if next_after is not None:
        headers[NEXT_CURSOR_HEADER] = services(router).cursors.encode(kind, next_after)
    return json_response(items, headers=headers)


def after(router: Router, kind: str, cursor: str | None) -> str | None:
    return None if cursor is None else services(router).cursors.decode(cursor, kind)
