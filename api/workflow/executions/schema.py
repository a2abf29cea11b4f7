"""The executions table (env WORKFLOW_EXECUTION_TABLE): key design and statuses.

    Id (HASH)                       item
    "{execution id}"                the execution: Status, AssetId, Workflow, Created, Modified,
                                    StateMachineArn, ExecutionArn, Input/Configuration/Stages (JSON),
                                    StageStatus (map stage -> status), Error (the reason it failed)
    "{execution id}#{stage}#{op}"   one operator's outcome: OperatorStatus, Message, Output (JSON)
    "#running"                      the concurrency counter: Running (N)

GSIs, both sparse (only execution items carry their keys) and sorted by Created:
    ByAssetId  AssetId (HASH) + Created (RANGE)
    ByStatus   Status (HASH) + Created (RANGE)

Operator outcomes are their own items so that no item grows with the workflow (MIE kept one
growing item per execution), and they never appear in the indexes. The running counter lives here
(not in the definitions table) because it changes with executions, and it is the one item every
admission and release writes with a condition: the count is exact, never read from an index.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

ID = "Id"
BY_ASSET_ID = "ByAssetId"
BY_STATUS = "ByStatus"
COUNTER_ID = "#running"
SEPARATOR = "#"


class ExecutionStatus(StrEnum):
    QUEUED = "Queued"
    STARTED = "Started"
    COMPLETE = "Complete"
    ERROR = "Error"
    CANCELLED = "Cancelled"


ACTIVE = (ExecutionStatus.QUEUED, ExecutionStatus.STARTED)
FINAL = (ExecutionStatus.COMPLETE, ExecutionStatus.ERROR, ExecutionStatus.CANCELLED)


def operator_item_id(execution_id: str, stage: str, operator: str) -> str:
    return SEPARATOR.join((execution_id, stage, operator))


def table_definition() -> dict[str, Any]:
    """Keyword arguments for `create_table`, less `TableName` (shared with deployments and tests)."""

    def index(name: str, hash_key: str) -> dict[str, Any]:
        return {
            "IndexName": name,
            "KeySchema": [
                {"AttributeName": hash_key, "KeyType": "HASH"},
                {"AttributeName": "Created", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }

    return {
        "KeySchema": [{"AttributeName": ID, "KeyType": "HASH"}],
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"} for name in (ID, "AssetId", "Status", "Created")
        ],
        "GlobalSecondaryIndexes": [index(BY_ASSET_ID, "AssetId"), index(BY_STATUS, "Status")],
        "BillingMode": "PAY_PER_REQUEST",
    }
