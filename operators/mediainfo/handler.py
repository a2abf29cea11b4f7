"""Mediainfo: download the input video, read every track with libmediainfo, store the track data.

Output MetaData carries the key facts downstream stages use (DurationSeconds, Width, Height,
VideoCodec, FrameRate); the dataplane holds the full result as `{"tracks": [...]}`, the shape
MIE's Mediainfo operator stored.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from medialens_helper import MediaInsightsOperationHelper, Status

from operators.common.failures import failures_reported
from operators.common.media import download, input_media
from operators.common.probe import probe_video
from operators.common.services import OperatorServices


def lambda_handler(
    event: dict[str, Any], context: Any, services: OperatorServices | None = None
) -> dict[str, Any]:
    helper = MediaInsightsOperationHelper(event)
    services = services or OperatorServices()
    with failures_reported(helper):
        source = input_media(helper, "Video")
        with tempfile.TemporaryDirectory(prefix="medialens-mediainfo-") as workdir:
            probe = probe_video(download(services.s3(), source, Path(workdir)))
        services.dataplane().store_asset_metadata(
            helper.asset_id, helper.name, helper.workflow_execution_id, {"tracks": probe.tracks}
        )
        helper.add_workflow_metadata_json(probe.video.as_metadata())
        helper.update_workflow_status(Status.Complete)
    return helper.return_output_object()
