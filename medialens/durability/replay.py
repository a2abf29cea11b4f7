"""Replaying the journal: the newest journaled state of each resource, put back through the AWS API.

Records hold states, not requests, so only the last state of each object, item and state machine
counts, and replaying on top of a snapshot taken at any moment after the records' segment began
gives the same end state (compaction relies on this).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from medialens.durability import changes as ch
from medialens.durability.item_json import from_wire
from medialens.durability.journal import read_records


def latest_states(folder: Path, first_segment: int) -> list[ch.Change]:
    """The last journaled state of each resource, in the order of their last records."""
    latest: dict[tuple[str, ...], ch.Change] = {}
    for payload in read_records(folder, first_segment):
        for change in ch.decode(payload):
            identity = _identity(change)
            latest.pop(identity, None)  # keep the order of last changes
            latest[identity] = change
    return list(latest.values())


def _identity(change: ch.Change) -> tuple[str, ...]:
    if isinstance(change, ch.ObjectState):
        return ("s3", change.bucket, change.key)
    if isinstance(change, ch.ItemState):
        return ("dynamodb", change.table, json.dumps(change.key, sort_keys=True))
    return ("states", change.arn)


def replay(session: Any, folder: Path, first_segment: int) -> list[ch.Change]:
    """Apply the journal's segments from `first_segment` on; returns the states it put back.

    As with the snapshot, buckets and tables the deployment no longer has are skipped.
    """
    s3, dynamodb, sfn = session.client("s3"), session.client("dynamodb"), session.client("stepfunctions")
    buckets = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    tables = set(dynamodb.list_tables().get("TableNames", []))
    applied: list[ch.Change] = []
    for change in latest_states(folder, first_segment):
        if isinstance(change, ch.ObjectState):
            if change.bucket not in buckets:
                continue
            if change.body is None:
                s3.delete_object(Bucket=change.bucket, Key=change.key)
            else:
                s3.put_object(
                    Bucket=change.bucket,
                    Key=change.key,
                    Body=change.body,
                    ContentType=change.content_type,
                    Metadata=change.metadata,
                )
            applied.append(change)
        elif isinstance(change, ch.ItemState):
            if change.table not in tables:
                continue
            if change.item is None:
                dynamodb.delete_item(TableName=change.table, Key=from_wire(change.key))
            else:
                dynamodb.put_item(TableName=change.table, Item=from_wire(change.item))
            applied.append(change)
        else:
            _replay_state_machine(sfn, change)
            applied.append(change)
    return applied


def _replay_state_machine(sfn: Any, change: ch.StateMachineState) -> None:
    if change.definition is None:
        with contextlib.suppress(sfn.exceptions.StateMachineDoesNotExist):
            sfn.delete_state_machine(stateMachineArn=change.arn)
        return
    try:
        sfn.create_state_machine(name=change.name, definition=change.definition, roleArn=change.role_arn)
    except sfn.exceptions.StateMachineAlreadyExists:
        sfn.update_state_machine(
            stateMachineArn=change.arn, definition=change.definition, roleArn=change.role_arn
        )
