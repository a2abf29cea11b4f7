"""The first step of every machine: give the execution its asset's own copy of the media.

Starting an execution on an upload must answer at once whatever the media's size, so the workflow
API copies nothing: it records where the asset's copy goes (`Input.Media`, under
`private/assets/{asset_id}/input/`) and where the upload is (`Input.MediaSource`). This step copies
it there (S3's managed copy: server-side, multipart above 8 MB, up to 5 TB) within the step's own
Lambda timeout, then drops `MediaSource`. Operators read only the assets prefix, as before.

A copy already in place with the source's size is kept, so a retried step does not copy again.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from api.workflow.generator import contract as c

_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
# boto3's managed copy switches to a multipart copy at this size (`TransferConfig`'s default, 8 MiB).
MULTIPART_THRESHOLD = 8 * 1024 * 1024


class MediaUnavailableError(Exception):
    """The uploaded media went away between the start of the execution and this step."""


def _size(s3: Any, bucket: str, key: str) -> int | None:
    try:
        return int(s3.head_object(Bucket=bucket, Key=key)["ContentLength"])
    except ClientError as exc:
        if str(exc.response.get("Error", {}).get("Code")) in _MISSING:
            return None
        raise


def _copy_once(s3: Any, source: dict[str, str], target: dict[str, str]) -> None:
    size = _size(s3, source["S3Bucket"], source["S3Key"])
    if size is None:
        raise MediaUnavailableError(
            f"media s3://{source['S3Bucket']}/{source['S3Key']} is gone: "
            "it was deleted after the execution started"
        )
    if _size(s3, target["S3Bucket"], target["S3Key"]) == size:
        return
    copy_source = {"Bucket": source["S3Bucket"], "Key": source["S3Key"]}
    if size < MULTIPART_THRESHOLD:
        # What the managed copy does below its threshold, without its own HEAD of the source.
        s3.copy_object(CopySource=copy_source, Bucket=target["S3Bucket"], Key=target["S3Key"])
    else:
        s3.copy(copy_source, target["S3Bucket"], target["S3Key"])


def prepare_media(s3: Any, state: dict[str, Any]) -> dict[str, Any]:
    """The workflow state with its media copied into the asset; unchanged if nothing was pending."""
    inputs = state.get(c.INPUT) or {}
    sources = inputs.get(c.MEDIA_SOURCE)
    if not sources:
        return state
    media = inputs.get("Media") or {}
    for kind, source in sources.items():
        _copy_once(s3, source, media[kind])
    return {**state, c.INPUT: {key: value for key, value in inputs.items() if key != c.MEDIA_SOURCE}}
