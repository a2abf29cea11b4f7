"""Configuration from the environment: signing key from Secrets Manager, missing settings."""

from __future__ import annotations

import boto3
import pytest
from dataplane_harness import REGION, Dataplane

from api.dataplane.app import build_app
from api.dataplane.config import ConfigurationError, DataplaneConfig


def test_the_signing_key_can_come_from_secrets_manager(
    dataplane: Dataplane, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn = boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="cursor-key", SecretString="secret-from-manager"
    )["ARN"]
    monkeypatch.delenv("CURSOR_SIGNING_KEY")
    monkeypatch.setenv("CURSOR_SIGNING_SECRET_ARN", arn)
    asset_id = dataplane.create_asset()
    for page in (1, 2):
        dataplane.store(asset_id, "Text", "wf-1", page, Paginate=True, Page=page, End=page == 2)

    cursor = dataplane.ok("GET", f"/metadata/{asset_id}/Text")["cursor"]

    assert dataplane.ok("GET", f"/metadata/{asset_id}/Text", query={"cursor": cursor})["results"] == 2
    # Signed with the secret's value: a key from the environment no longer validates it.
    monkeypatch.setenv("CURSOR_SIGNING_KEY", "another-key")
    monkeypatch.delenv("CURSOR_SIGNING_SECRET_ARN")
    assert dataplane.call("GET", f"/metadata/{asset_id}/Text", query={"cursor": cursor})[0] == 400


def test_missing_settings_are_a_json_500_not_a_crash(
    dataplane: Dataplane, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATAPLANE_TABLE")
    status, body = dataplane.call("POST", "/upload", body={"S3Key": "a.mp4"})
    assert status == 500
    assert body == {"Code": "InternalError", "Message": "internal error"}
    # The health check needs no configuration.
    assert dataplane.call("GET", "/")[0] == 200


def test_config_names_what_is_missing() -> None:
    with pytest.raises(ConfigurationError, match="DATAPLANE_BUCKET"):
        DataplaneConfig.from_env({"DATAPLANE_TABLE": "t", "DATAPLANE_STREAM": "s", "CURSOR_SIGNING_KEY": "k"})
    with pytest.raises(ConfigurationError, match="CURSOR_SIGNING"):
        DataplaneConfig.from_env({"DATAPLANE_BUCKET": "b", "DATAPLANE_TABLE": "t", "DATAPLANE_STREAM": "s"})


def test_building_another_app_does_not_disturb_the_handler(dataplane: Dataplane) -> None:
    # Routers are module-level and shared: a second app (the OpenAPI generator) must not take
    # the request context away from the handler's app.
    build_app()
    asset_id = dataplane.create_asset()
    assert dataplane.ok("GET", f"/mediapath/{asset_id}/wf-1")["S3Key"].endswith("/workflows/wf-1/")
