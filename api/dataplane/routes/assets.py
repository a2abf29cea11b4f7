"""Asset routes: health, create, list."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from api.dataplane.models import (
    AssetListResponse,
    AssetResponse,
    CreateRequest,
    CreateResponse,
    StatusResponse,
)
from api.dataplane.routes.common import AssetId, ServicesDep, errors

router = APIGatewayRouter()


@router.get("/", summary="Health check", tags=["assets"])
def health() -> StatusResponse:
    return StatusResponse(Status="OK")


@router.post(
    "/create",
    summary="Create an asset from an object in the dataplane bucket",
    tags=["assets"],
    responses=errors(400, 404, 413),
)
def create_asset(body: CreateRequest, svc: ServicesDep) -> CreateResponse:
    asset = svc.assets.create(body.Input.S3Bucket, body.Input.S3Key, body.Input.MediaType, body.Copy)
    return CreateResponse(
        AssetId=asset.asset_id, S3Bucket=asset.bucket, S3Key=asset.key, MediaType=asset.media_type
    )


@router.get(
    "/asset/<asset_id>",
    summary="An asset's media location and media type",
    tags=["assets"],
    responses=errors(400, 404),
)
def get_asset(asset_id: AssetId, svc: ServicesDep) -> AssetResponse:
    asset = svc.assets.get(asset_id)
    return AssetResponse(
        AssetId=asset.asset_id,
        S3Bucket=asset.bucket,
        S3Key=asset.key,
        MediaType=asset.media_type,
        Created=asset.created,
    )


@router.get("/metadata", summary="List asset ids, newest first", tags=["assets"], responses=errors(400))
def list_assets(
    svc: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size")] = 100,
    cursor: Annotated[str | None, Query(description="Cursor from the previous page")] = None,
) -> AssetListResponse:
    page = svc.assets.list_assets(limit, cursor)
    return AssetListResponse(assets=page.asset_ids, cursor=page.cursor)
