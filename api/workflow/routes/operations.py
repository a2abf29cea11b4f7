"""`/workflow/operation`: list, create, update, get, delete."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.router import Router

from api.workflow.models import Operation
from api.workflow.routes.common import (
    DEFAULT_LIMIT,
    Cursor,
    DefinitionNameParam,
    Limit,
    Page,
    after,
    errors,
    paged,
    services,
)

router = Router()
KIND = "operation"


@router.get("/workflow/operation", summary="List operations", responses=errors(400))
def list_operations(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page:
    items, next_after = services(router).operations.page(limit, after(router, KIND, cursor))
    return paged(router, KIND, items, next_after)


@router.post(
    "/workflow/operation", summary="Create an operation and its singleton stage", responses=errors(400, 409)
)
def create_operation(body: Operation) -> dict[str, Any]:
    return services(router).operations.create(body)


@router.put(
    "/workflow/operation",
    summary="Update an operation; its workflows are redeployed",
    responses=errors(400, 404, 409, 502),
)
def update_operation(body: Operation) -> dict[str, Any]:
    return services(router).operations.update(body)


@router.get("/workflow/operation/<Name>", summary="Get an operation", responses=errors(400, 404))
def get_operation(Name: DefinitionNameParam) -> dict[str, Any]:  # noqa: N803 - MIE's path parameter name
    return services(router).operations.get(Name)


@router.delete(
    "/workflow/operation/<Name>", summary="Delete an operation no stage uses", responses=errors(400, 404, 409)
)
def delete_operation(Name: DefinitionNameParam) -> dict[str, Any]:  # noqa: N803
    return services(router).operations.delete(Name)
