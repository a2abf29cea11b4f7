"""Small helpers the dataplane services share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from api.dataplane.errors import ResourceNotFoundError
from api.dataplane.store import AssetRecord, AssetTable

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def timestamp(clock: Clock) -> str:
    # Fixed width, so the string order of `Created` in the asset index is the time order.
    return clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def require_asset(table: AssetTable, asset_id: str) -> AssetRecord:
    asset = table.get_asset(asset_id)
    if asset is None:
        raise ResourceNotFoundError(f"asset {asset_id} not found")
    return asset
