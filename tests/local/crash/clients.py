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
    """SIGKILL the test's platform and its child processes (workers, inspection server): the
    process in hand, and the one the pid file names (a restart a test timeout interrupted)."""
    pids = {process.pid}
    with contextlib.suppress(FileNotFoundError, ValueError):
        pids.add(int(StateDir(home).pid_file.read_text().strip()))
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            if b"medialens" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue  # gone, and the number reused
            for child in children(pid):
                os.kill(child, signal.SIGKILL)
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)


def kill_left_behind(pids: list[int]) -> None:
    """SIGKILL processes a crashed platform left behind (recorded with `children` before the kill)."""
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            if b"medialens" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)


def children(pid: int) -> list[int]:
    """Pids of the processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:  # the field after the state is the parent's pid
                found.append(int(stat.parent.name))
    return found
