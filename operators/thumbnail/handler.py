"""Thumbnail: one JPEG frame of the input video, stored beside the asset's other derived media.

Configuration: `PositionSeconds` (default 1; moved back to the last frame of a shorter video) and
`Width` (default 320 pixels; the height keeps the aspect ratio). The JPEG goes to the workflow's
media path in the dataplane bucket and is output as the media object `Thumbnail`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from medialens_helper import MediaInsightsOperationHelper, Status

from operators.common.failures import OperatorError, failures_reported
from operators.common.media import S3Location, download, input_media, upload
from operators.common.probe import probe_video
from operators.common.services import OperatorServices
from operators.thumbnail.frame import clamp_position, extract_frame, image_size
from operators.thumbnail.options import read_options

MEDIA_TYPE = "Thumbnail"
CONTENT_TYPE = "image/jpeg"


def lambda_handler(
    event: dict[str, Any], context: Any, services: OperatorServices | None = None
) -> dict[str, Any]:
    helper = MediaInsightsOperationHelper(event)
    services = services or OperatorServices()
    with failures_reported(helper):
        options = read_options(helper.configuration)
        source = input_media(helper, "Video")
        dataplane = services.dataplane()
        s3 = services.s3()
        with tempfile.TemporaryDirectory(prefix="medialens-thumbnail-") as workdir:
            video = download(s3, source, Path(workdir))
            position = clamp_position(options.position_seconds, probe_video(video).video)
            jpeg = Path(workdir) / "thumbnail.jpg"
            extract_frame(video, jpeg, position_seconds=position, width=options.width)
            width, height = image_size(jpeg)
            size = jpeg.stat().st_size
            target = _target(
                dataplane.generate_media_storage_path(helper.asset_id, helper.workflow_execution_id)
            )
            target = S3Location(target.bucket, f"{target.key}{helper.name}.jpg")
            upload(s3, jpeg, target, CONTENT_TYPE)
        record = {
            "S3Bucket": target.bucket,
            "S3Key": target.key,
            "SizeBytes": size,
            "PositionSeconds": position,
            "RequestedPositionSeconds": options.position_seconds,
            "Width": width,
            "Height": height,
        }
        dataplane.store_asset_metadata(helper.asset_id, helper.name, helper.workflow_execution_id, record)
        helper.add_media_object(MEDIA_TYPE, target.bucket, target.key)
        helper.add_workflow_metadata(
            ThumbnailPositionSeconds=position, ThumbnailWidth=width, ThumbnailHeight=height
        )
        helper.update_workflow_status(Status.Complete)
    return helper.return_output_object()


def _target(storage: dict[str, Any]) -> S3Location:
    """The media path the dataplane gave, as a key prefix ending in '/'."""
    bucket, prefix = storage.get("S3Bucket"), storage.get("S3Key")
    if not isinstance(bucket, str) or not bucket or not isinstance(prefix, str) or not prefix:
        raise OperatorError(f"the dataplane gave no usable media path: {storage!r}")
    return S3Location(bucket, prefix if prefix.endswith("/") else f"{prefix}/")
