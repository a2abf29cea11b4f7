"""Save and restore the local platform's durable state across `medialens up` runs.

moto keeps everything in memory, so the runtime saves what AWS would keep — every S3 object, every
DynamoDB item and every state machine — when it stops, and puts it back after it has re-created the
resources at the next start. Object keys never become file paths (a key may hold `..`): objects are
stored under the SHA-256 of bucket and key, with a manifest mapping them back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from medialens.durability.item_json import from_wire, to_wire

MANIFEST = "manifest.json"
_BATCH = 25  # DynamoDB BatchWriteItem limit


def save(
    session: Any, folder: Path, *, journal_from: int = 0, service_journals: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Write all buckets and tables of the session's endpoint to `folder`; returns counts.

    The new snapshot is written beside the old one and swapped in at the end, so a crash while
    saving leaves the previous snapshot whole. `journal_from` is the first journal segment whose
    changes the snapshot may lack (`journal_start` reads it back); `service_journals` the same for
    the journal of each service held by another process ({"dynamodb": segment}).
    """
    s3 = session.client("s3")
    dynamodb = session.client("dynamodb")
    staging = folder.with_name(folder.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    objects_dir = staging / "objects"
    objects_dir.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "objects": [],
        "tables": {},
        "journal_from": journal_from,
        "service_journal_from": dict(service_journals or {}),
    }
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            for entry in page.get("Contents", []):
                body = s3.get_object(Bucket=name, Key=entry["Key"])
                blob_name = hashlib.sha256(f"{name}\0{entry['Key']}".encode()).hexdigest()
                (objects_dir / blob_name).write_bytes(body["Body"].read())
                manifest["objects"].append(
                    {
                        "Bucket": name,
                        "Key": entry["Key"],
                        "Blob": blob_name,
                        "ContentType": body.get("ContentType", "binary/octet-stream"),
                    }
                )
    for table in dynamodb.get_paginator("list_tables").paginate():
        for table_name in table.get("TableNames", []):
            items: list[dict[str, Any]] = []
            for page in dynamodb.get_paginator("scan").paginate(TableName=table_name):
                items.extend(to_wire(item) for item in page.get("Items", []))
            manifest["tables"][table_name] = items
    manifest["state_machines"] = _state_machines(session.client("stepfunctions"))
    (staging / MANIFEST).write_text(json.dumps(manifest))
    retired = folder.with_name(folder.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if folder.exists():
        folder.rename(retired)
    staging.rename(folder)
    shutil.rmtree(retired, ignore_errors=True)
    return {"objects": len(manifest["objects"]), "items": sum(map(len, manifest["tables"].values()))}


def _state_machines(sfn: Any) -> list[dict[str, str]]:
    machines = []
    for page in sfn.get_paginator("list_state_machines").paginate():
        for listed in page.get("stateMachines", []):
            described = sfn.describe_state_machine(stateMachineArn=listed["stateMachineArn"])
            machines.append(
                {
                    "name": described["name"],
                    "definition": described["definition"],
                    "roleArn": described["roleArn"],
                }
            )
    return machines


def journal_start(folder: Path, service: str | None = None) -> int:
    """The first journal segment to replay on top of the snapshot in `folder` (0: all of them).

    `service`: of that service's own journal ("dynamodb"), not the main one.
    """
    path = folder / MANIFEST
    if not path.exists():
        return 0
    manifest = json.loads(path.read_text())
    if service is None:
        return int(manifest.get("journal_from", 0))
    return int(manifest.get("service_journal_from", {}).get(service, 0))


def restore(session: Any, folder: Path) -> dict[str, int]:
    """Put a saved snapshot back into buckets and tables that already exist; returns counts.

    Buckets or tables the new deployment no longer has are skipped rather than re-created:
    the deployment, not the snapshot, decides which resources exist.
    """
    path = folder / MANIFEST
    if not path.exists():
        return {"objects": 0, "items": 0}
    manifest = json.loads(path.read_text())
    s3 = session.client("s3")
    dynamodb = session.client("dynamodb")
    buckets = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    tables = set(dynamodb.list_tables().get("TableNames", []))
    restored_objects = 0
    for entry in manifest["objects"]:
        if entry["Bucket"] not in buckets:
            continue
        s3.put_object(
            Bucket=entry["Bucket"],
            Key=entry["Key"],
            Body=(folder / "objects" / entry["Blob"]).read_bytes(),
            ContentType=entry["ContentType"],
        )
        restored_objects += 1
    restored_items = 0
    for table_name, items in manifest["tables"].items():
        if table_name not in tables:
            continue
        for start in range(0, len(items), _BATCH):
            requests = [{"PutRequest": {"Item": from_wire(item)}} for item in items[start : start + _BATCH]]
            dynamodb.batch_write_item(RequestItems={table_name: requests})
        restored_items += len(items)
    for machine in manifest.get("state_machines", []):
        _restore_state_machine(session.client("stepfunctions"), machine)
    return {"objects": restored_objects, "items": restored_items}


def _restore_state_machine(sfn: Any, machine: dict[str, str]) -> None:
    # Same name in the same account and region: the ARN the definitions table holds is valid again.
    with contextlib.suppress(sfn.exceptions.StateMachineAlreadyExists):
        sfn.create_state_machine(
            name=machine["name"], definition=machine["definition"], roleArn=machine["roleArn"]
        )
