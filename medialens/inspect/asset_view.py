"""What the asset page shows besides findings: the media, and the executions with their statuses.

Both come from the platform's own APIs with signed requests, as any client would get them:
`GET /workflow/execution/asset/{AssetId}` then `GET /workflow/execution/{Id}` for stage and operator
statuses (the newest `MAX_EXECUTIONS`), and the media's presigned URL from the dataplane's
`POST /download`, which applies the dataplane's one rule on what a client may read. A failing call
is shown on the page as one line; the page itself never fails for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import boto3
from medialens_helper import HttpTransport
from medialens_helper.workflow_client import WorkflowApiCallError, WorkflowClient

MAX_EXECUTIONS = 10
ENVIRONMENT = (
    "INSPECT_WORKFLOW_API",
    "INSPECT_DATAPLANE_API",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_REGION",
)
_MEDIA_KINDS = ("Video", "Image", "Audio", "Text")


@dataclass
class AssetDetails:
    media: dict[str, str] | None = None  # {"Kind", "Url", "Key"}
    media_error: str = ""
    executions: list[dict[str, Any]] = field(default_factory=list)
    executions_error: str = ""


class AssetView:
    def __init__(self, workflow: WorkflowClient, dataplane: WorkflowClient) -> None:
        self._workflow = workflow
        self._dataplane = dataplane  # the same signed JSON calls serve both APIs

    @classmethod
    def from_environment(cls, environment: Mapping[str, str]) -> AssetView:
        missing = [name for name in ENVIRONMENT if not environment.get(name)]
        if missing:
            raise RuntimeError(f"the inspection server needs {', '.join(missing)} in its environment")
        session = boto3.Session(
            aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
            region_name=environment["AWS_REGION"],
        )
        return cls(
            WorkflowClient(HttpTransport(environment["INSPECT_WORKFLOW_API"], session=session, timeout=10)),
            WorkflowClient(HttpTransport(environment["INSPECT_DATAPLANE_API"], session=session, timeout=10)),
        )

    def load(self, asset_id: str) -> AssetDetails:
        details = AssetDetails()
        try:
            listed = self._workflow.call("GET", f"/workflow/execution/asset/{quote(asset_id, safe='')}")
            for item in list(listed)[:MAX_EXECUTIONS]:
                details.executions.append(
                    self._workflow.call("GET", f"/workflow/execution/{quote(item['Id'])}")
                )
        except (WorkflowApiCallError, OSError, KeyError, TypeError) as exc:
            details.executions_error = f"cannot read the executions: {exc}"
        location = _media_location(details.executions)
        if location is None:
            details.media_error = "no execution of this asset names its media"
            return details
        kind, bucket, key = location
        try:
            answer = self._dataplane.call("POST", "/download", {"S3Bucket": bucket, "S3Key": key})
            details.media = {"Kind": kind, "Url": str(answer["Url"]), "Key": key}
        except (WorkflowApiCallError, OSError, KeyError, TypeError) as exc:
            details.media_error = f"cannot get a link to the media: {exc}"
        return details


def _media_location(executions: list[dict[str, Any]]) -> tuple[str, str, str] | None:
    """(kind, bucket, key) of the newest execution's input media."""
    for execution in executions:
        media = (execution.get("Globals") or {}).get("Media") or {}
        for kind in _MEDIA_KINDS:
            location = media.get(kind)
            if isinstance(location, dict) and location.get("S3Bucket") and location.get("S3Key"):
                return kind, str(location["S3Bucket"]), str(location["S3Key"])
    return None
