"""Clients of a `medialens up` started in a subprocess: both APIs (SigV4) and S3 on its moto endpoint."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from medialens_helper import HttpTransport
from medialens_helper.workflow_client import WorkflowClient

from medialens.state import StateDir


@dataclass
class Clients:
    workflow: WorkflowClient
    dataplane: WorkflowClient
    s3: Any
    bucket: str
    session: boto3.Session
    dataplane_url: str

    @classmethod
    def connect(cls, home: Path) -> Clients:
        state = StateDir(home)
        endpoints, credentials = state.read_endpoints(), state.credentials()
        assert endpoints is not None
        session = boto3.Session(
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            region_name=credentials.region,
        )
        return cls(
            WorkflowClient(HttpTransport(endpoints.workflow_api, session=session)),
            WorkflowClient(HttpTransport(endpoints.dataplane_api, session=session)),
            session.client("s3", endpoint_url=endpoints.moto_url),
            endpoints.dataplane_bucket,
            session,
            endpoints.dataplane_api,
        )

    def post_dataplane(self, path: str, body: dict[str, Any]) -> requests.Response:
        """A signed POST to the dataplane API, answered as it is (status and headers)."""
        url, data = self.dataplane_url + path, json.dumps(body).encode()
        request = AWSRequest(method="POST", url=url, data=data, headers={"Content-Type": "application/json"})
        SigV4Auth(self.session.get_credentials(), "execute-api", self.session.region_name).add_auth(request)
        return requests.post(url, data=data, headers=dict(request.headers.items()), timeout=30)


def kill_platform(home: Path, process: subprocess.Popen[str]) -> None:
    """SIGKILL the test's platform: the process in hand, and the one the pid file names (a restart
    interrupted by a test timeout leaves its process only there)."""
    process.kill()
    process.wait(timeout=30)
    with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
        pid = int(StateDir(home).pid_file.read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        if pid != process.pid and b"medialens" in command:
            os.kill(pid, signal.SIGKILL)
