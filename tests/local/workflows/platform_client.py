"""A started local platform and what a test needs to drive it through its public API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from medialens_helper import DataPlane, HttpTransport
from medialens_helper.workflow_client import WorkflowClient

from medialens.deployment import LocalDeployment
from medialens.runtime.platform import LocalPlatform
from medialens.state import Endpoints, StateDir

WAIT_SECONDS = 90.0


@dataclass
class RunningPlatform:
    platform: LocalPlatform
    deployment: LocalDeployment
    endpoints: Endpoints
    api: WorkflowClient
    signing_session: boto3.Session

    @classmethod
    def attach(cls, platform: LocalPlatform, deployment: LocalDeployment) -> RunningPlatform:
        assert platform.endpoints is not None
        credentials = platform.state.credentials()
        session = boto3.Session(
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            region_name=credentials.region,
        )
        api = WorkflowClient(HttpTransport(platform.endpoints.workflow_api, session=session))
        return cls(platform, deployment, platform.endpoints, api, session)

    def dataplane(self) -> DataPlane:
        """The dataplane API client a user would have, signed with the local credentials."""
        return DataPlane(HttpTransport(self.endpoints.dataplane_api, session=self.signing_session))

    @property
    def aws(self) -> Any:
        assert self.platform.session is not None
        return self.platform.session

    def upload(self, body: bytes = b"not really a video") -> dict[str, dict[str, str]]:
        """An object in the dataplane bucket, as the seed's `aws s3 cp` step makes one."""
        key = f"upload/{uuid.uuid4().hex}.mp4"
        self.aws.client("s3").put_object(Bucket=self.endpoints.dataplane_bucket, Key=key, Body=body)
        return {"Video": {"S3Bucket": self.endpoints.dataplane_bucket, "S3Key": key}}

    def workflow(self, stages: list[list[str]], *, timeout_seconds: int | None = None) -> str:
        """A workflow of stages in order, each running the listed operators in parallel."""
        name = f"wf{uuid.uuid4().hex[:10]}"
        names = [f"{name}s{index}" for index in range(len(stages))]
        for stage, operations in zip(names, stages, strict=True):
            self.api.upsert("stage", {"Name": stage, "Operations": operations})
        steps = {
            stage: ({"Next": names[index + 1]} if index + 1 < len(names) else {"End": True})
            for index, stage in enumerate(names)
        }
        definition: dict[str, Any] = {"Name": name, "StartAt": names[0], "Stages": steps}
        if timeout_seconds is not None:
            definition["TimeoutSeconds"] = timeout_seconds
        self.api.upsert("", definition)
        return name

    def run(self, workflow: str, **extra: Any) -> dict[str, Any]:
        """Submit an execution on a fresh upload and wait for its final status."""
        submitted = self.api.start(workflow, self.upload(), **extra)
        return self.api.wait(submitted["Id"], timeout=WAIT_SECONDS, poll_seconds=0.2)


def operator_view(execution: dict[str, Any], operator: str) -> dict[str, Any]:
    for stage in execution["Stages"]:
        for operation in stage["Operations"]:
            if operation["Name"] == operator:
                return dict(operation)
    raise AssertionError(f"{operator} is not in the execution's stages")


@contextmanager
def started_platform(
    root: Path, *, serve_inspection: bool = False, engines: Sequence[str] = ()
) -> Iterator[RunningPlatform]:
    """The real local deployment (operator library, scheduler, watcher) started in `root`, then stopped.

    `engines`: the sample engines to host (their operators and the library's workflows with them).
    """
    state = StateDir(root)
    deployment = LocalDeployment(state, engines=engines)
    platform = LocalPlatform(state, deployment, save_snapshot=False, serve_inspection=serve_inspection)
    platform.start(progress=lambda _: None)
    try:
        yield RunningPlatform.attach(platform, deployment)
    finally:
        platform.stop(progress=lambda _: None)
