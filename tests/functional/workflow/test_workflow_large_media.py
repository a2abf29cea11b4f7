"""Starting an execution never reads or copies the media; the machine's first step copies it."""

from __future__ import annotations

from typing import Any

import pytest
from medialens_helper import DataPlane, DataplaneError, InProcessTransport

from api.dataplane import handler as dataplane_handler
from api.dataplane.service import assets as assets_service
from api.dataplane.store import ObjectStore
from api.workflow.steps.prepare_media import MediaUnavailableError, prepare_media
from tests.functional.workflow.execution_fixtures import MEDIA_BUCKET, Executions, executions

__all__ = ["executions"]  # the fixture, imported so pytest finds it

PART = 5 * 1024 * 1024  # S3's smallest multipart part


def put_large_object(s3: Any, key: str, parts: int) -> int:
    """A `parts` x 5 MiB object made from one 5 MiB part copied server-side (bounded memory)."""
    s3.put_object(Bucket=MEDIA_BUCKET, Key="upload/part.bin", Body=b"\0" * PART)
    upload = s3.create_multipart_upload(Bucket=MEDIA_BUCKET, Key=key)["UploadId"]
    etags = [
        s3.upload_part_copy(
            Bucket=MEDIA_BUCKET,
            Key=key,
            UploadId=upload,
            PartNumber=n,
            CopySource={"Bucket": MEDIA_BUCKET, "Key": "upload/part.bin"},
        )["CopyPartResult"]["ETag"]
        for n in range(1, parts + 1)
    ]
    s3.complete_multipart_upload(
        Bucket=MEDIA_BUCKET,
        Key=key,
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, start=1)]},
    )
    return parts * PART


def refuse(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("the API touched the media's body")


def test_a_start_on_media_over_the_copy_limit_answers_without_reading_or_copying_it(
    executions: Executions, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = put_large_object(executions.s3, "upload/film.mp4", parts=3)
    monkeypatch.setattr(assets_service, "MAX_COPY_BYTES", 2 * PART)
    # The dataplane's own /create refuses to copy that much within a request, with a clear 4xx.
    with pytest.raises(DataplaneError) as refused:
        DataPlane(InProcessTransport(dataplane_handler.lambda_handler)).create_asset(
            MEDIA_BUCKET, "upload/film.mp4"
        )
    assert refused.value.status_code == 413
    monkeypatch.setattr(ObjectStore, "copy", refuse)
    monkeypatch.setattr(ObjectStore, "get_bytes", refuse)

    started = executions.api.ok(
        "POST",
        "/workflow/execution",
        body={
            "Name": "Main",
            "Input": {"Media": {"Video": {"S3Bucket": MEDIA_BUCKET, "S3Key": "upload/film.mp4"}}},
        },
    )

    target = f"private/assets/{started['AssetId']}/input/film.mp4"
    assert started["Globals"]["Media"] == {"Video": {"S3Bucket": MEDIA_BUCKET, "S3Key": target}}
    assert executions.s3.list_objects_v2(Bucket=MEDIA_BUCKET, Prefix="private/").get("KeyCount") == 0
    # The copy happens in the execution: the machine's first step, given the state it starts with.
    record = executions.store.get(started["Id"])
    assert record is not None
    state = {"ExecutionId": started["Id"], "AssetId": started["AssetId"], "Input": record["Input"]}
    prepared = prepare_media(executions.s3, state)
    assert prepared["Input"] == {"Media": started["Globals"]["Media"], "MetaData": {}}
    assert executions.s3.head_object(Bucket=MEDIA_BUCKET, Key=target)["ContentLength"] == size
    # A retried step finds the copy in place and leaves it.
    assert prepare_media(executions.s3, state) == prepared


def test_the_first_step_fails_clearly_when_the_upload_is_gone(executions: Executions) -> None:
    started = executions.submit(key="upload/gone.mp4")
    executions.s3.delete_object(Bucket=MEDIA_BUCKET, Key="upload/gone.mp4")
    record = executions.store.get(started["Id"])
    assert record is not None

    with pytest.raises(MediaUnavailableError, match=r"upload/gone\.mp4 is gone"):
        prepare_media(executions.s3, {"Input": record["Input"]})


def test_a_second_execution_of_the_asset_uses_the_same_copy(executions: Executions) -> None:
    first = executions.submit()
    record = executions.store.get(first["Id"])
    assert record is not None
    prepare_media(executions.s3, {"Input": record["Input"]})

    again = executions.api.ok(
        "POST", "/workflow/execution", body={"Name": "Main", "Input": {"AssetId": first["AssetId"]}}
    )

    assert again["Globals"]["Media"] == first["Globals"]["Media"]
    again_record = executions.store.get(again["Id"])
    assert again_record is not None
    assert (
        prepare_media(executions.s3, {"Input": again_record["Input"]})["Input"]["Media"]
        == again["Globals"]["Media"]
    )
