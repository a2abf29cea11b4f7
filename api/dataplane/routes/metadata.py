"""Metadata routes: store, read (paged) and delete operator results."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from api.dataplane.models import (
    DeleteResponse,
    MetadataPageResponse,
    MetadataRequest,
    MetadataWriteResponse,
    QueryBool,
)
from api.dataplane.routes.common import AssetId, OperatorName, ServicesDep, errors
from api.dataplane.service import PageWrite, ResultPage

router = APIGatewayRouter()

Cursor = Annotated[str | None, Query(description="Cursor from the previous response")]


def _page(page: ResultPage) -> MetadataPageResponse:
    return MetadataPageResponse(
        asset_id=page.asset_id,
        operator=page.operator,
        workflow_id=page.workflow_id,
        page=page.page,
        results=page.results,
        cursor=page.cursor,
    )


@router.post(
    "/metadata/<asset_id>",
    summary="Store one page of an operator's results",
    tags=["metadata"],
    responses=errors(400, 404, 409, 413),
)
def put_metadata(
    asset_id: AssetId,
    body: MetadataRequest,
    svc: ServicesDep,
    paginated: Annotated[
        QueryBool, Query(description="MIE spelling of Paginate: pages without Page are appended")
    ] = False,
    end: Annotated[QueryBool, Query(description="MIE spelling of End")] = False,
) -> MetadataWriteResponse:
    write = PageWrite(
        asset_id=asset_id,
        operator=body.OperatorName,
        workflow_id=body.WorkflowId,
        results=body.Results,
        paginate=body.Paginate or paginated,
        page=body.Page,
        end=body.End or end,
    )
    outcome = svc.writer.store(write)
    return MetadataWriteResponse(
        Status="Success",
        AssetId=asset_id,
        OperatorName=body.OperatorName,
        WorkflowId=body.WorkflowId,
        Page=outcome.page,
        Complete=outcome.complete,
        S3Bucket=svc.config.bucket,
        S3Key=outcome.key,
    )


@router.get(
    "/metadata/<asset_id>",
    summary="Read all results of an asset, one page per call",
    tags=["metadata"],
    responses=errors(400, 404, 409),
)
def get_asset_metadata(asset_id: AssetId, svc: ServicesDep, cursor: Cursor = None) -> MetadataPageResponse:
    return _page(svc.reader.read_asset(asset_id, cursor))


@router.get(
    "/metadata/<asset_id>/<operator_name>",
    summary="Read one operator's results, one page per call",
    tags=["metadata"],
    responses=errors(400, 404, 409),
)
def get_operator_metadata(
    asset_id: AssetId, operator_name: OperatorName, svc: ServicesDep, cursor: Cursor = None
) -> MetadataPageResponse:
    return _page(svc.reader.read_operator(asset_id, operator_name, cursor))


@router.delete(
    "/metadata/<asset_id>",
    summary="Delete an asset, its media and results (409 while executions of it are not over)",
    tags=["metadata"],
    responses=errors(400, 404, 409),
)
def delete_asset(asset_id: AssetId, svc: ServicesDep) -> DeleteResponse:
    svc.writer.delete_asset(asset_id)
    return DeleteResponse(Status="Deleted", AssetId=asset_id)


@router.delete(
    "/metadata/<asset_id>/<operator_name>",
    summary="Delete one operator's results",
    tags=["metadata"],
    responses=errors(400, 404, 409),
)
def delete_operator_metadata(
    asset_id: AssetId, operator_name: OperatorName, svc: ServicesDep
) -> DeleteResponse:
    svc.writer.delete_operator(asset_id, operator_name)
    return DeleteResponse(Status="Deleted", AssetId=asset_id, OperatorName=operator_name)
