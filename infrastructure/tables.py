"""A DynamoDB table built from a handler module's `table_definition()` (the one the local runtime uses).

So the key schema and indexes on AWS are exactly the ones the code and its tests were written for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}


def _keys(
    schema: list[Mapping[str, str]], types: Mapping[str, str]
) -> tuple[dynamodb.Attribute, dynamodb.Attribute | None]:
    by_role = {key["KeyType"]: key["AttributeName"] for key in schema}
    hash_name, range_name = by_role["HASH"], by_role.get("RANGE")
    partition = dynamodb.Attribute(name=hash_name, type=_TYPES[types[hash_name]])
    sort = dynamodb.Attribute(name=range_name, type=_TYPES[types[range_name]]) if range_name else None
    return partition, sort


def table_from_definition(
    scope: Construct, construct_id: str, definition: Mapping[str, Any]
) -> dynamodb.Table:
    """An on-demand, point-in-time-recoverable, retained table shaped like `definition`."""
    if definition.get("BillingMode", "PAY_PER_REQUEST") != "PAY_PER_REQUEST":
        raise ValueError("only on-demand tables are deployed")
    types = {a["AttributeName"]: a["AttributeType"] for a in definition["AttributeDefinitions"]}
    partition, sort = _keys(definition["KeySchema"], types)
    table = dynamodb.Table(
        scope,
        construct_id,
        partition_key=partition,
        sort_key=sort,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        # Holds the platform's records: deleting the stack must not delete them.
        removal_policy=RemovalPolicy.RETAIN,
    )
    for index in definition.get("GlobalSecondaryIndexes", []):
        index_partition, index_sort = _keys(index["KeySchema"], types)
        projection = index["Projection"]
        table.add_global_secondary_index(
            index_name=index["IndexName"],
            partition_key=index_partition,
            sort_key=index_sort,
            projection_type=_PROJECTIONS[projection["ProjectionType"]],
            non_key_attributes=projection.get("NonKeyAttributes"),
        )
    return table
