"""Refuses to delete an asset while workflow executions of it are queued or running.

An execution whose asset is gone would fail on its first result, or (MIE's fault) stay `Started`
holding its concurrency slot. The dataplane refuses with `409` naming the executions; the client
cancels them (`DELETE /workflow/execution/{Id}`) or waits for them, then deletes the asset.
"""

from __future__ import annotations

from typing import Any

from api.dataplane.errors import ConflictError
from api.workflow.executions.schema import ACTIVE
from api.workflow.executions.store import ExecutionStore

MAX_EXECUTIONS_READ = 1000  # an asset with more executions than this is refused to be safe
_PAGE = 100


class ActiveExecutionGuard:
    """Reads the workflow executions table (its `ByAssetId` index, then each candidate consistently)."""

    def __init__(self, dynamodb: Any, execution_table: str) -> None:
        self._store = ExecutionStore(dynamodb, execution_table)

    def active(self, asset_id: str) -> list[tuple[str, str]]:
        """(Id, Status) of the asset's Queued and Started executions, newest first."""
        found: list[tuple[str, str]] = []
        after: str | None = None
        for _ in range(MAX_EXECUTIONS_READ // _PAGE):
            records, after = self._store.by_asset(asset_id, _PAGE, after)
            for record in records:
                if record.get("Status") not in ACTIVE:
                    continue
                # The index is eventually consistent: confirm on the item itself.
                current = self._store.get(record["Id"])
                if current is not None and current.get("Status") in ACTIVE:
                    found.append((current["Id"], current["Status"]))
            if after is None:
                return found
        raise ConflictError(f"asset {asset_id} has more than {MAX_EXECUTIONS_READ} executions; none deleted")

    def check(self, asset_id: str) -> None:
        """Raise ConflictError naming the asset's active executions, if any."""
        active = self.active(asset_id)
        if active:
            named = ", ".join(f"{execution_id} ({status})" for execution_id, status in active)
            raise ConflictError(
                f"asset {asset_id} has workflow executions that are not over: {named}; cancel them "
                "(DELETE /workflow/execution/{Id}) or wait until they end, then delete the asset"
            )
