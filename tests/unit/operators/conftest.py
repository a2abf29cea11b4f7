"""Fixtures for operator tests: workflow events, and a real dataplane API in process on moto."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from medialens_helper import DataPlane, InProcessTransport
from moto import mock_aws

from api.dataplane import handler, storage_schema
from api.dataplane.context import ServicesProvider
from medialens.sample_media import make_sample_video
from operators.common.services import OperatorServices

REGION = "us-east-1"
BUCKET = "medialens-operators-test"
TABLE = "medialens-operators-test"
STREAM = "medialens-operators-test"
ASSET_ID = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
WORKFLOW_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

EventFactory = Callable[..., dict[str, Any]]


def workflow_event(
    name: str,
    *,
    media: dict[str, Any] | None = None,
    configuration: dict[str, Any] | None = None,
    upstream: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    status: str = "Started",
    asset_id: str = ASSET_ID,
) -> dict[str, Any]:
    """The event the state machine gives an operator (start step; a monitor gets `metadata` back)."""
    return {
        "Name": name,
        "AssetId": asset_id,
        "WorkflowExecutionId": WORKFLOW_ID,
        "Input": {
            "Media": media if media is not None else {"Video": {"S3Bucket": BUCKET, "S3Key": "in/v.mp4"}},
            "MetaData": upstream if upstream is not None else {},
        },
        "Configuration": {"MediaType": "Video", "Enabled": True, **(configuration or {})},
        "Status": status,
        "MetaData": metadata or {},
        "Media": {},
    }


@dataclass
class Dataplane:
    """The dataplane API handler on moto, with the stores behind it for inspection."""

    session: boto3.session.Session
    bucket: str = BUCKET

    @property
    def s3(self) -> Any:
        return self.session.client("s3")

    def services(self) -> OperatorServices:
        """What an operator gets in a test: the in-process dataplane, S3 on moto."""
        return OperatorServices(dataplane_transport=self.transport(), session=self.session)

    def transport(self) -> InProcessTransport:
        return InProcessTransport(handler.lambda_handler)

    def client(self) -> DataPlane:
        return DataPlane(self.transport())

    def create_asset(self, data: bytes = b"media", name: str = "video.mp4") -> dict[str, Any]:
        """Upload `data` and make it an asset: `{"AssetId", "S3Bucket", "S3Key"}` of its input media."""
        self.s3.put_object(Bucket=BUCKET, Key=f"upload/{name}", Body=data)
        return self.client().create_asset(BUCKET, f"upload/{name}")

    def results(self, asset_id: str, operator: str) -> Any:
        """The results one operator stored for an asset, read back through the API."""
        return self.client().retrieve_asset_metadata(asset_id, operator)["results"]


@dataclass(frozen=True)
class SampleVideo:
    path: Path
    seconds: float
    width: int
    height: int
    frame_rate: float


@pytest.fixture(scope="session")
def sample_video(tmp_path_factory: pytest.TempPathFactory) -> SampleVideo:
    """A real H.264 + AAC MP4, made once per session."""
    path = make_sample_video(
        tmp_path_factory.mktemp("media") / "sample.mp4", seconds=2.0, width=320, height=240
    )
    return SampleVideo(path, seconds=2.0, width=320, height=240, frame_rate=25.0)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where operators' temporary files go in this test, so a test can check they were removed."""
    directory = tmp_path / "scratch"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


@pytest.fixture
def aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "CURSOR_SIGNING_SECRET_ARN", "DATAPLANE_API_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("DATAPLANE_BUCKET", BUCKET)
    monkeypatch.setenv("DATAPLANE_TABLE", TABLE)
    monkeypatch.setenv("DATAPLANE_STREAM", STREAM)
    monkeypatch.setenv("CURSOR_SIGNING_KEY", "operators-test-signing-key-0123")


@pytest.fixture
def dataplane(aws_environment: None) -> Iterator[Dataplane]:
    session = boto3.session.Session(region_name=REGION)
    # A fresh app per test: its cached clients must not outlive the mock they were made in.
    handler.get_app.cache_clear()
    handler.get_app().provider = ServicesProvider(session)
    with mock_aws():
        session.client("s3").create_bucket(Bucket=BUCKET)
        session.client("dynamodb").create_table(TableName=TABLE, **storage_schema.table_definition())
        session.client("kinesis").create_stream(StreamName=STREAM, ShardCount=1)
        yield Dataplane(session)
    handler.get_app.cache_clear()
