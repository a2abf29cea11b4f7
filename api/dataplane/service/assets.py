"""Assets and media: create an asset from an uploaded object, presigned transfers, listing."""

from __future__ import annotations

import mimetypes
import uuid
from dataclasses import dataclass
from typing import Any

from api.common.messages import quoted
from api.dataplane import layout
from api.dataplane.cursor import CursorCodec
from api.dataplane.errors import (
    BadRequestError,
    InvalidCursorError,
    PayloadTooLargeError,
    ResourceNotFoundError,
)
from api.dataplane.service.common import Clock, require_asset, timestamp, utc_now
from api.dataplane.store import AssetRecord, AssetTable, ObjectStore

MAX_UPLOAD_BYTES = 5 * 1024**3  # single presigned POST limit, as MIE
# A copy inside a request must end well within API Gateway's 29 s integration timeout.
MAX_COPY_BYTES = 100 * 1024**2
PRESIGN_SECONDS = 3600
MEDIA_TYPES = ("Video", "Image", "Audio", "Text")
_LIST_CURSOR = "assets"


def guess_media_type(key: str) -> str | None:
    """MIE's media type of a key from its extension (`video/*` → Video, ...), None if unknown."""
    mime, _ = mimetypes.guess_type(key)
    family = (mime or "").split("/", 1)[0]
    return {"video": "Video", "image": "Image", "audio": "Audio", "text": "Text"}.get(family)


@dataclass(frozen=True)
class AssetPage:
    asset_ids: list[str]
    cursor: str | None


class AssetService:
    def __init__(
        self, objects: ObjectStore, table: AssetTable, cursors: CursorCodec, clock: Clock = utc_now
    ) -> None:
        self._objects = objects
        self._table = table
        self._cursors = cursors
        self._clock = clock

    def create(
        self, source_bucket: str, source_key: str, media_type: str | None = None, copy: bool = True
    ) -> AssetRecord:
        """Register an asset for `source_key`; with `copy`, on its own copy under its input/ prefix.

        Without `copy` the asset refers to the object where it is (nothing is read or copied, so
        any size answers at once). Raises BadRequestError (bucket, key), ResourceNotFoundError
        (no such object), PayloadTooLargeError (a copy over MAX_COPY_BYTES).
        """
        if source_bucket != self._objects.bucket:
            raise BadRequestError(
                f"S3Bucket must be the dataplane bucket {self._objects.bucket}, got {quoted(source_bucket)}"
            )
        layout.readable_key(source_key)
        name = layout.basename(source_key)
        size = self._objects.size(source_key)
        if size is None:
            raise ResourceNotFoundError(f"object {quoted(source_key)} not found in {source_bucket}")
        if copy and size > MAX_COPY_BYTES:
            raise PayloadTooLargeError(
                f"object {quoted(source_key)} is {size} bytes; /create copies at most {MAX_COPY_BYTES} "
                'bytes within a request: send "Copy": false to register it where it is'
            )
        asset_id = str(uuid.uuid4())
        target_key = source_key
        if copy:
            target_key = layout.input_key(asset_id, name)
            # Copy first: an asset item never points at media that is not there.
            self._objects.copy(source_key, target_key)
        asset = AssetRecord(
            asset_id=asset_id,
            created=timestamp(self._clock),
            bucket=self._objects.bucket,
            key=target_key,
            media_type=media_type or guess_media_type(source_key),
        )
        self._table.put_asset(asset)
        return asset

    def get(self, asset_id: str) -> AssetRecord:
        return require_asset(self._table, asset_id)

    def upload_form(self, key: str) -> dict[str, Any]:
        layout.check_object_key(key)
        # MIE's web app sent "upload/<name>", a bare name means the same place.
        target = key if key.startswith(layout.UPLOAD_ROOT) else f"{layout.UPLOAD_ROOT}{key}"
        layout.check_object_key(target)
        return self._objects.presigned_post(target, MAX_UPLOAD_BYTES, PRESIGN_SECONDS)

    def download_url(self, key: str) -> str:
        layout.readable_key(key)
        if not self._objects.exists(key):
            raise ResourceNotFoundError(f"object {quoted(key)} not found")
        return self._objects.presigned_get(key, PRESIGN_SECONDS)

    def media_path(self, asset_id: str, workflow_id: str) -> tuple[str, str]:
        require_asset(self._table, asset_id)
        key = layout.workflow_prefix(asset_id, workflow_id)
        # Always under the asset's prefix; checked against the same rule as every other route.
        layout.readable_key(key.rstrip("/"), "workflow_id")
        return self._objects.bucket, key

    def list_assets(self, limit: int, cursor: str | None) -> AssetPage:
        after = None
        if cursor:
            position = self._cursors.decode(cursor, _LIST_CURSOR, {})
            asset_id, created = position.get("a"), position.get("c")
            if not isinstance(asset_id, str) or not isinstance(created, str):
                raise InvalidCursorError()
            after = (asset_id, created)
        ids, last = self._table.list_assets(limit, after)
        next_cursor = None
        if last is not None:
            next_cursor = self._cursors.encode(_LIST_CURSOR, {}, {"a": last[0], "c": last[1]})
        return AssetPage(asset_ids=ids, cursor=next_cursor)
