"""`/workflow/execution`: submit, list (all, by asset, by status), get, cancel.

Mounted before `workflows`, so `/workflow/execution` is never read as a workflow named "execution".
The execution service is built per request from the environment (see
`api.workflow.executions.environment`); `dataplane_factory` is the seam tests replace.
"""

from __future__ import annotations

import functools
import os
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import Router
from medialens_helper import DataPlane, HttpTransport, settings

from api.workflow.executions import environment as env
from api.workflow.executions.schema import ExecutionStatus
from api.workflow.routes.common import DEFAULT_LIMIT, Cursor, Limit, Page, after, errors, paged, services
from api.workflow.services.execution_requests import ExecutionRequest
from api.workflow.services.executions import ExecutionService

router = Router()
KIND = "execution"

IdParam = Annotated[str, Path(min_length=1, max_length=128, description="Execution Id")]
AssetIdParam = Annotated[str, Path(min_length=1, max_length=128, description="Asset Id")]
StatusParam = Annotated[ExecutionStatus, Path(description="An execution status")]


def dataplane_factory() -> DataPlane:
    """The dataplane client (HTTPS to DATAPLANE_API_ENDPOINT). Tests replace this with monkeypatch.

    One per endpoint and container, like the AWS clients: building it (a boto3 session, a
    connection pool) cost a submission ~30 ms of CPU when made per request."""
    endpoint = os.environ.get(settings.DATAPLANE_API_ENDPOINT)
    return _dataplane_for(endpoint) if endpoint else DataPlane()  # DataPlane() names what is missing


@functools.lru_cache(maxsize=4)
def _dataplane_for(endpoint: str) -> DataPlane:
    return DataPlane(HttpTransport(endpoint))


def execution_service() -> ExecutionService:
    lifecycle = env.lifecycle_from_env()
    return ExecutionService(
        workflows=services(router).workflows,
        lifecycle=lifecycle,
        sqs=env.aws_client("sqs"),
        queue_url=env.setting(env.EXECUTION_QUEUE_URL),
        stepfunctions=env.aws_client("stepfunctions"),
        dataplane=lambda: dataplane_factory(),
        nudge=env.scheduler_nudge(),
    )


@router.post("/workflow/execution", summary="Run a workflow on an asset", responses=errors(400, 404, 409))
def submit_execution(body: ExecutionRequest) -> dict[str, Any]:
    return execution_service().submit(body)


@router.get("/workflow/execution", summary="List executions", responses=errors(400))
def list_executions(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page:
    items, next_after = execution_service().page(limit, after(router, KIND, cursor))
    return paged(router, KIND, items, next_after)


@router.get(
    "/workflow/execution/asset/<AssetId>",
    summary="Executions of an asset, newest first",
    responses=errors(400),
)
def list_executions_by_asset(
    AssetId: AssetIdParam,  # noqa: N803 - MIE's path parameter name
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page:
    kind = f"{KIND}-asset"
    items, next_after = execution_service().by_asset(AssetId, limit, after(router, kind, cursor))
    return paged(router, kind, items, next_after)


@router.get(
    "/workflow/execution/status/<Status>",
    summary="Executions with a status, newest first",
    responses=errors(400),
)
def list_executions_by_status(
    Status: StatusParam,  # noqa: N803
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page:
    kind = f"{KIND}-status"
    items, next_after = execution_service().by_status(Status, limit, after(router, kind, cursor))
    return paged(router, kind, items, next_after)


@router.get("/workflow/execution/<Id>", summary="Get an execution with its stages", responses=errors(404))
def get_execution(Id: IdParam) -> dict[str, Any]:  # noqa: N803
    return execution_service().get(Id)


@router.delete(
    "/workflow/execution/<Id>",
    summary="Cancel an execution (stops its state machine)",
    responses=errors(404, 409),
)
def cancel_execution(Id: IdParam) -> dict[str, Any]:  # noqa: N803
    return execution_service().cancel(Id)
