"""Assets and media: create an asset from an uploaded object, presigned transfers, listing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from api.common.messages import quoted
from api.dataplane import layout
from api.dataplane.cursor import CursorCodec
from api.dataplane.errors import BadRequestError, InvalidCursorError, ResourceNotFoundError
from api.dataplane.service.common import Clock, require_asset, timestamp, utc_now
from api.dataplane.store import AssetRecord, AssetTable, ObjectStore

MAX_UPLOAD_BYTES = 5 * 1024**3  # single presigned POST limit, as MIE
PRESIGN_SECONDS = 3600
_LIST_CURSOR = "assets"


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

    def create(self, source_bucket: str, source_key: str) -> AssetRecord:
        if source_bucket != self._objects.bucket:
            raise BadRequestError(
                f"S3Bucket must be the dataplane bucket {self._objects.bucket}, got {quoted(source_bucket)}"
            )
        layout.check_object_key(source_key)
        name = layout.basename(source_key)
        if not self._objects.exists(source_key):
            raise ResourceNotFoundError(f"object {quoted(source_key)} not found in {source_bucket}")
        asset_id = str(uuid.uuid4())
        target_key = layout.input_key(asset_id, name)
        # Copy first: an asset item never points at media that is not there.
        self._objects.copy(source_key, target_key)
        asset = AssetRecord(
            asset_id=asset_id, created=timestamp(self._clock), bucket=self._objects.bucket, key=target_key
        )
        self._table.put_asset(asset)
        return asset

    def upload_form(self, key: str) -> dict[str, Any]:
        layout.check_object_key(key)
        # MIE's web app sent "upload/<name>", a bare name means the same place.
        target = key if key.startswith(layout.UPLOAD_ROOT) else f"{layout.UPLOAD_ROOT}{key}"
        layout.check_object_key(target)
        return self._objects.presigned_post(target, MAX_UPLOAD_BYTES, PRESIGN_SECONDS)

    def download_url(self, key: str) -> str:
        layout.check_object_key(key)
        if not key.startswith(layout.DOWNLOADABLE_ROOTS) or key in layout.DOWNLOADABLE_ROOTS:
            roots = " or ".join(layout.DOWNLOADABLE_ROOTS)
            raise BadRequestError(f"S3Key must be under {roots}, got {quoted(key)}")
        if not self._objects.exists(key):
            raise ResourceNotFoundError(f"object {quoted(key)} not found")
        return self._objects.presigned_get(key, PRESIGN_SECONDS)

    def media_path(self, asset_id: str, workflow_id: str) -> tuple[str, str]:
        require_asset(self._table, asset_id)
        return self._objects.bucket, layout.workflow_prefix(asset_id, workflow_id)

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
