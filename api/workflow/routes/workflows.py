"""`/workflow`: list, create, update, get, delete, and a workflow's default configuration."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.router import Router

from api.workflow.models import Workflow
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
KIND = "workflow"


@router.get("/workflow", summary="List workflows", responses=errors(400))
def list_workflows(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page:
    items, next_after = services(router).workflows.page(limit, after(router, KIND, cursor))
    return paged(router, KIND, items, next_after)


@router.post("/workflow", summary="Create a workflow and its state machine", responses=errors(400, 409, 502))
def create_workflow(body: Workflow) -> dict[str, Any]:
    return services(router).workflows.create(body)


@router.put(
    "/workflow", summary="Update a workflow and its state machine", responses=errors(400, 404, 409, 502)
)
def update_workflow(body: Workflow) -> dict[str, Any]:
    return services(router).workflows.update(body)


@router.get(
    "/workflow/configuration/<Name>",
    summary="Default configuration of a workflow's operations",
    responses=errors(400, 404),
)
def get_workflow_configuration(Name: DefinitionNameParam) -> dict[str, Any]:  # noqa: N803 - MIE's path parameter name
    return services(router).workflows.configuration(Name)


@router.get("/workflow/<Name>", summary="Get a workflow", responses=errors(400, 404))
def get_workflow(Name: DefinitionNameParam) -> dict[str, Any]:  # noqa: N803
    return services(router).workflows.get(Name)


@router.delete(
    "/workflow/<Name>",
    summary="Delete a workflow and its state machine",
    responses=errors(400, 404, 409, 502),
)
def delete_workflow(Name: DefinitionNameParam) -> dict[str, Any]:  # noqa: N803
    return services(router).workflows.delete(Name)
