"""`/workflow/stage`: list, create, update, get, delete."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.router import Router

from api.workflow.models import Stage
from api.workflow.routes.common import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    Page,
    StageNameParam,
    after,
    errors,
    paged,
    services,
)

router = Router()
KIND = "stage"


@router.get("/workflow/stage", summary="List stages", responses=errors(400))
def list_stages(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page:
    items, next_after = services(router).stages.page(limit, after(router, KIND, cursor))
    return paged(router, KIND, items, next_after)


@router.post("/workflow/stage", summary="Create a stage from existing operations", responses=errors(400, 409))
def create_stage(body: Stage) -> dict[str, Any]:
    return services(router).stages.create(body)


@router.put(
    "/workflow/stage",
    summary="Update a stage; its workflows are redeployed",
    responses=errors(400, 404, 409, 502),
)
def update_stage(body: Stage) -> dict[str, Any]:
    return services(router).stages.update(body)


@router.get("/workflow/stage/<Name>", summary="Get a stage", responses=errors(400, 404))
def get_stage(Name: StageNameParam) -> dict[str, Any]:  # noqa: N803 - MIE's path parameter name
    return services(router).stages.get(Name)


@router.delete(
    "/workflow/stage/<Name>", summary="Delete a stage no workflow uses", responses=errors(400, 404, 409)
)
def delete_stage(Name: StageNameParam) -> dict[str, Any]:  # noqa: N803
    return services(router).stages.delete(Name)
