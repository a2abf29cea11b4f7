"""Media routes: presigned upload and download, a workflow's media path."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from api.common.messages import quoted
from api.dataplane.errors import BadRequestError
from api.dataplane.models import DownloadResponse, KeyRequest, MediaPathResponse, UploadResponse
from api.dataplane.routes.common import AssetId, ServicesDep, WorkflowId, errors

router = APIGatewayRouter()


def _check_bucket(body: KeyRequest, bucket: str) -> None:
    if body.S3Bucket is not None and body.S3Bucket != bucket:
        raise BadRequestError(f"S3Bucket must be the dataplane bucket {bucket}, got {quoted(body.S3Bucket)}")


@router.post(
    "/upload", summary="Presigned POST for an upload under upload/", tags=["media"], responses=errors(400)
)
def upload(body: KeyRequest, svc: ServicesDep) -> UploadResponse:
    _check_bucket(body, svc.config.bucket)
    form = svc.assets.upload_form(body.S3Key)
    return UploadResponse(url=form["url"], fields=form["fields"])


@router.post(
    "/download",
    summary="Presigned GET for an asset or upload object",
    tags=["media"],
    responses=errors(400, 404),
)
def download(body: KeyRequest, svc: ServicesDep) -> DownloadResponse:
    _check_bucket(body, svc.config.bucket)
    return DownloadResponse(Url=svc.assets.download_url(body.S3Key))


@router.get(
    "/mediapath/<asset_id>/<workflow_id>",
    summary="Where a workflow stores derived media",
    tags=["media"],
    responses=errors(400, 404),
)
def media_path(asset_id: AssetId, workflow_id: WorkflowId, svc: ServicesDep) -> MediaPathResponse:
    bucket, key = svc.assets.media_path(asset_id, workflow_id)
    return MediaPathResponse(S3Bucket=bucket, S3Key=key)
