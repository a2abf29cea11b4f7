"""Executions on dataplane assets: any asset the dataplane knows runs by id; Input keys obey the read rule."""

from __future__ import annotations

from typing import Any

import pytest
from medialens_helper import DataPlane, DataplaneRequest, InProcessTransport

from api.dataplane import handler as dataplane_handler
from api.workflow.scheduler import handler as scheduler
from tests.functional.workflow.execution_fixtures import MEDIA_BUCKET, Executions, executions

__all__ = ["executions"]  # the fixture, imported so pytest finds it


def dataplane() -> DataPlane:
    return DataPlane(InProcessTransport(dataplane_handler.lambda_handler))


def dataplane_call(method: str, path: str) -> tuple[int, Any]:
    response = InProcessTransport(dataplane_handler.lambda_handler).handle(DataplaneRequest(method, path))
    return response.status_code, response.body


def start(executions: Executions, media_input: dict[str, Any]) -> tuple[int, Any]:
    status, body, _ = executions.api.call(
        "POST", "/workflow/execution", body={"Name": "Main", "Input": media_input}
    )
    return status, body


def test_an_asset_made_with_the_dataplane_create_runs_by_id(executions: Executions) -> None:
    executions.s3.put_object(Bucket=MEDIA_BUCKET, Key="upload/clip.mp4", Body=b"m")
    asset = dataplane().create_asset(MEDIA_BUCKET, "upload/clip.mp4")

    status, body = start(executions, {"AssetId": asset["AssetId"]})

    assert status == 200, body
    assert body["AssetId"] == asset["AssetId"]
    assert body["Globals"]["Media"] == {"Video": {"S3Bucket": MEDIA_BUCKET, "S3Key": asset["S3Key"]}}
    assert executions.queued_ids() == [body["Id"]]


def test_the_asset_media_type_comes_from_the_dataplane(executions: Executions) -> None:
    executions.s3.put_object(Bucket=MEDIA_BUCKET, Key="upload/scan.bin", Body=b"m")
    asset = dataplane().create_asset(MEDIA_BUCKET, "upload/scan.bin", media_type="Image")

    status, body = start(executions, {"AssetId": asset["AssetId"]})

    assert status == 200, body
    assert list(body["Globals"]["Media"]) == ["Image"]


def test_an_asset_of_unknown_media_type_is_a_400_that_says_so(executions: Executions) -> None:
    executions.s3.put_object(Bucket=MEDIA_BUCKET, Key="upload/blob.bin", Body=b"m")
    asset = dataplane().create_asset(MEDIA_BUCKET, "upload/blob.bin")

    status, body = start(executions, {"AssetId": asset["AssetId"]})

    assert status == 400
    assert "media type" in body["Message"]
    assert executions.queued_ids() == []


def test_a_deleted_asset_is_a_404(executions: Executions) -> None:
    first = executions.submit()
    executions.api.ok("DELETE", f"/workflow/execution/{first['Id']}")
    dataplane().delete_asset(first["AssetId"])
    assert start(executions, {"AssetId": first["AssetId"]})[0] == 404


@pytest.mark.parametrize("key", ["incoming/video.mp4", "private/other/video.mp4"])
def test_input_keys_a_client_may_not_read_are_a_400(executions: Executions, key: str) -> None:
    executions.s3.put_object(Bucket=MEDIA_BUCKET, Key=key, Body=b"m")

    status, body = start(executions, {"Media": {"Video": {"S3Bucket": MEDIA_BUCKET, "S3Key": key}}})

    assert status == 400, body
    assert "S3Key" in body["Message"]
    assert executions.queued_ids() == []
    assert dataplane().list_assets()["assets"] == []


def test_a_top_level_upload_runs_as_in_mie_s_guide(executions: Executions) -> None:
    executions.s3.put_object(Bucket=MEDIA_BUCKET, Key="test_image.jpg", Body=b"m")

    status, body = start(
        executions, {"Media": {"Image": {"S3Bucket": MEDIA_BUCKET, "S3Key": "test_image.jpg"}}}
    )

    assert status == 200, body


def test_deleting_an_asset_with_executions_not_over_is_a_409_naming_them(executions: Executions) -> None:
    api = executions.api
    api.ok("POST", "/system/configuration", body={"Name": "MaxConcurrentWorkflows", "Value": 1})
    running = executions.submit(key="upload/a.mp4")
    queued = api.ok(
        "POST", "/workflow/execution", body={"Name": "Main", "Input": {"AssetId": running["AssetId"]}}
    )
    other = executions.submit(key="upload/b.mp4")
    assert scheduler.lambda_handler({}, None)["started"] == 1
    asset_id = running["AssetId"]

    status, body = dataplane_call("DELETE", f"/metadata/{asset_id}")

    assert status == 409, body
    assert running["Id"] in body["Message"] and queued["Id"] in body["Message"]
    assert "Started" in body["Message"] and "Queued" in body["Message"]
    assert dataplane().get_asset(asset_id)["AssetId"] == asset_id  # nothing was deleted

    # Once they are over, the asset goes, and the slot serves the next execution.
    api.ok("DELETE", f"/workflow/execution/{queued['Id']}")
    api.ok("DELETE", f"/workflow/execution/{running['Id']}")
    assert dataplane_call("DELETE", f"/metadata/{asset_id}")[0] == 200
    assert scheduler.lambda_handler({}, None)["started"] == 1
    assert executions.store.get(other["Id"])["Status"] == "Started"  # type: ignore[index]
    assert executions.slots.running() == 1


def test_an_asset_whose_executions_are_over_is_deleted(executions: Executions) -> None:
    body = executions.submit()
    executions.api.ok("DELETE", f"/workflow/execution/{body['Id']}")
    assert dataplane_call("DELETE", f"/metadata/{body['AssetId']}")[0] == 200
