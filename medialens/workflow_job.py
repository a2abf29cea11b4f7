"""The main job of `make run`: analyse a generated video with the operator library, through the API.

It does what a user of the platform does: compose the registered `Mediainfo` and `Thumbnail`
operators into a stage and a workflow with the workflow API, upload a video, start an execution,
watch it, and read the results the operators stored in the dataplane. The job succeeds only if the
workflow completes and its results can be read back.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import requests
from medialens_helper import DataPlane, HttpTransport
from medialens_helper.workflow_client import WorkflowClient
from rich.console import Console
from rich.live import Live
from rich.table import Table

from api.registration.apply import DefinitionKind, LibraryRegistrar
from medialens.sample_media import make_sample_video
from medialens.state import Endpoints, LocalCredentials
from operators.library_workflows import OPERATORS, STAGE, WORKFLOW, library_stages, library_workflows

EXECUTION_TIMEOUT_SECONDS = 180


class JobError(Exception):
    """The platform did something other than what it promises; the message says what."""


@dataclass(frozen=True)
class JobResult:
    execution: dict[str, Any]
    results: dict[str, Any]

    @property
    def completed(self) -> bool:
        return self.execution.get("Status") == "Complete"


class MediaAnalysisJob:
    def __init__(self, endpoints: Endpoints, credentials: LocalCredentials, console: Console) -> None:
        session = boto3.Session(
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            region_name=credentials.region,
        )
        self.endpoints = endpoints
        self.console = console
        self.workflows = WorkflowClient(HttpTransport(endpoints.workflow_api, session=session))
        self.dataplane = DataPlane(HttpTransport(endpoints.dataplane_api, session=session))

    def run(self) -> JobResult:
        self._require_operators()
        registrar = LibraryRegistrar(self.workflows)
        registrar.register(DefinitionKind.STAGE, library_stages())
        registrar.register(DefinitionKind.WORKFLOW, library_workflows())
        self.console.print(f"workflow [bold]{WORKFLOW}[/bold]: stage {STAGE} runs {' + '.join(OPERATORS)}")
        key = self._upload_sample()
        submitted = self.workflows.start(
            WORKFLOW, {"Video": {"S3Bucket": self.endpoints.dataplane_bucket, "S3Key": key}}
        )
        self.console.print(f"execution {submitted['Id']} submitted for asset {submitted['AssetId']}")
        execution = self._watch(submitted["Id"])
        results = self._stored_results(execution) if execution["Status"] == "Complete" else {}
        self.console.print(_outcome_table(execution, results))
        return JobResult(execution, results)

    def _require_operators(self) -> None:
        registered = {operation["Name"] for operation in self.workflows.operations()}
        missing = [name for name in OPERATORS if name not in registered]
        if missing:
            raise JobError(f"operators not registered: {', '.join(missing)}")

    def _upload_sample(self) -> str:
        workdir = Path(tempfile.mkdtemp(prefix="medialens-run-"))
        sample = make_sample_video(workdir / "sample.mp4")
        key = f"upload/run-{int(time.time() * 1000)}/sample.mp4"
        form = self.dataplane.upload_url(key)
        with sample.open("rb") as media:
            response = requests.post(form["url"], data=form["fields"], files={"file": media}, timeout=30)
        if response.status_code not in (200, 204):
            raise JobError(f"upload of the sample video answered {response.status_code}")
        self.console.print(f"uploaded a {sample.stat().st_size:,}-byte sample video to s3://…/{key}")
        return key

    def _watch(self, execution_id: str) -> dict[str, Any]:
        started = time.perf_counter()
        with Live(console=self.console, refresh_per_second=4, transient=True) as live:

            def show(record: dict[str, Any]) -> None:
                live.update(_progress_table(record, time.perf_counter() - started))

            execution = self.workflows.wait(execution_id, timeout=EXECUTION_TIMEOUT_SECONDS, on_poll=show)
        elapsed = time.perf_counter() - started
        self.console.print(f"execution {execution['Status']} after {elapsed:.1f} s")
        return execution

    def _stored_results(self, execution: dict[str, Any]) -> dict[str, Any]:
        asset_id = execution["AssetId"]
        return {name: self.dataplane.retrieve_asset_metadata(asset_id, name)["results"] for name in OPERATORS}


def _progress_table(record: dict[str, Any], elapsed: float) -> Table:
    table = Table(title=f"execution {record['Id']}: {record['Status']} ({elapsed:.1f} s)")
    table.add_column("stage")
    table.add_column("operator")
    table.add_column("status")
    for stage in record.get("Stages", []):
        for operation in stage["Operations"]:
            table.add_row(stage["Name"], operation["Name"], operation["Status"])
    return table


def _outcome_table(execution: dict[str, Any], results: dict[str, Any]) -> Table:
    table = Table(
        title=f"{execution['Workflow']['Name']} on asset {execution['AssetId']}: {execution['Status']}"
    )
    table.add_column("operator")
    table.add_column("status")
    table.add_column("result")
    for stage in execution.get("Stages", []):
        for operation in stage["Operations"]:
            name = operation["Name"]
            detail = operation.get("Message") or _summary(name, results.get(name), operation)
            table.add_row(name, operation["Status"], detail)
    if execution.get("Error"):
        table.add_row("(workflow)", execution["Status"], str(execution["Error"]))
    return table


def _summary(name: str, stored: Any, operation: dict[str, Any]) -> str:
    """A one-line view of what an operator reported, from its output metadata and stored result."""
    facts = {key: value for key, value in operation.get("MetaData", {}).items() if len(str(value)) < 80}
    parts = [f"{key}={value}" for key, value in sorted(facts.items())]
    for media_type, location in operation.get("Media", {}).items():
        if isinstance(location, dict) and "S3Key" in location:
            parts.append(f"{media_type}: {location['S3Key']}")
    if stored is not None:
        parts.append(f"stored result: {len(str(stored)):,} characters")
    return ", ".join(parts) or "-"
