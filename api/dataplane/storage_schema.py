"""Shape of the dataplane's DynamoDB table, shared by the CDK app and the local runtime.

One table holds small items only:
- the asset item:            AssetId=<id>, SortKey="ASSET"
- one pointer per operator:  AssetId=<id>, SortKey="OPERATOR#<name>"  (workflow id, page count, S3 prefix)
- one item per paged result being written:  AssetId=<id>, SortKey="PAGES#<operator>#<workflow id>"
  (see `api.dataplane.store.page_sessions`)
Result pages themselves live in S3 (one object per page), never in the table.
A sparse index on the asset items lists all assets newest first without a scan.
"""

from __future__ import annotations

from typing import Any

PARTITION_KEY = "AssetId"
SORT_KEY = "SortKey"
ASSET_SORT_KEY = "ASSET"
OPERATOR_SORT_KEY_PREFIX = "OPERATOR#"
PAGE_SESSION_SORT_KEY_PREFIX = "PAGES#"

ASSET_LIST_INDEX = "AssetsByCreation"
ASSET_LIST_PARTITION = "AssetListPartition"  # constant "ASSETS" on asset items only (sparse index)
ASSET_LIST_SORT = "Created"


def table_definition() -> dict[str, Any]:
    """Keyword arguments for `create_table`, less `TableName`."""
    return {
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": SORT_KEY, "AttributeType": "S"},
            {"AttributeName": ASSET_LIST_PARTITION, "AttributeType": "S"},
            {"AttributeName": ASSET_LIST_SORT, "AttributeType": "S"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": ASSET_LIST_INDEX,
                "KeySchema": [
                    {"AttributeName": ASSET_LIST_PARTITION, "KeyType": "HASH"},
                    {"AttributeName": ASSET_LIST_SORT, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
