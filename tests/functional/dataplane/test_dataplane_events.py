"""Metadata writes emit Kinesis records once a result is readable, describing its pages."""

from __future__ import annotations

import re

from dataplane_harness import BUCKET, Dataplane

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_each_page_write_emits_one_record_describing_it(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    assert dataplane.new_records() == []  # creating an asset is not a metadata write

    _, first = dataplane.store(asset_id, "Text", "wf-1", "p1", Paginate=True, Page=1)
    _, second = dataplane.store(asset_id, "Text", "wf-1", "p2", Paginate=True, Page=2, End=True)

    records = dataplane.new_records()
    assert len(records) == 2
    for record, answer, page in zip(records, (first, second), (1, 2), strict=True):
        assert record["PartitionKey"] == asset_id
        data = record["Data"]
        assert ISO_UTC.match(data.pop("Timestamp"))
        assert data == {
            "SchemaVersion": 1,
            "Action": "PUT",
            "AssetId": asset_id,
            "Operator": "Text",
            "WorkflowId": "wf-1",
            "Page": page,
            "Pointer": {"S3Bucket": BUCKET, "S3Key": answer["S3Key"]},
        }
        # The pointer in the record resolves to the stored page.
        assert dataplane.read_json(data["Pointer"]["S3Key"]) == f"p{page}"


def test_an_idempotent_rewrite_still_emits_one_record(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    dataplane.store(asset_id, "Labels", "wf-1", "a")
    dataplane.store(asset_id, "Labels", "wf-1", "a")
    assert [r["Data"]["Action"] for r in dataplane.new_records()] == ["PUT", "PUT"]


def test_a_failed_write_emits_nothing(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    dataplane.store(asset_id, "bad name", "wf-1", "a")
    dataplane.store(asset_id, "Labels", "wf-1", "a", Paginate=False, Page=3)
    assert dataplane.new_records() == []
