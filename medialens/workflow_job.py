"""The main job of `make run`: analyse a newscast with the video workflow, through the signed API.

It does what a user of the platform does: check that the video workflow's operators are
registered (the sample engines' among them), register the library's stages and workflows, upload
the sample (`medialens.news_sample`), start `VideoWorkflow`, show each stage's and operator's
status as it runs, read every operator's results back through the dataplane API and print what
was found. It succeeds only if every operator completed and the findings match the sample
(`medialens.job_checks`).
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
from medialens.findings import Findings, read_findings, stored_documents
from medialens.job_checks import Check, check_findings, findings_table
from medialens.news_sample import NewsSample, SampleMediaError, make_news_video
from medialens.state import Endpoints, LocalCredentials
from operators.library_workflows import STAGES, VIDEO_WORKFLOW, WORKFLOWS, library_stages, library_workflows

EXECUTION_TIMEOUT_SECONDS = 240


class JobError(Exception):
    """The platform did something other than what it promises; the message says what."""


@dataclass(frozen=True)
class JobResult:
    execution: dict[str, Any]
    findings: dict[str, Findings]
    checks: list[Check]

    @property
    def completed(self) -> bool:
        return self.execution.get("Status") == "Complete"

    @property
    def failed_checks(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]


def video_operators() -> list[str]:
    """The operators `VideoWorkflow` runs, stage by stage."""
    return [operator for stage in WORKFLOWS[VIDEO_WORKFLOW] for operator in STAGES[stage]]


class MediaAnalysisJob:
    def __init__(self, endpoints: Endpoints, credentials: LocalCredentials, console: Console) -> None:
        session = boto3.Session(
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            region_name=credentials.region,
        )
        self.endpoints = endpoints
        self.console = console
        self.sample = NewsSample()
        self.workflows = WorkflowClient(HttpTransport(endpoints.workflow_api, session=session))
        self.dataplane = DataPlane(HttpTransport(endpoints.dataplane_api, session=session))

    def run(self) -> JobResult:
        operators = video_operators()
        self._require(operators)
        registrar = LibraryRegistrar(self.workflows)
        registrar.register(DefinitionKind.STAGE, library_stages(operators))
        registrar.register(DefinitionKind.WORKFLOW, library_workflows(operators))
        stages = " → ".join(f"{stage} ({', '.join(STAGES[stage])})" for stage in WORKFLOWS[VIDEO_WORKFLOW])
        self.console.print(f"workflow [bold]{VIDEO_WORKFLOW}[/bold]: {stages}")
        key = self._upload_sample()
        submitted = self.workflows.start(
            VIDEO_WORKFLOW, {"Video": {"S3Bucket": self.endpoints.dataplane_bucket, "S3Key": key}}
        )
        self.console.print(f"execution {submitted['Id']} submitted for asset {submitted['AssetId']}")
        execution = self._watch(submitted["Id"])
        findings = self._findings(execution)
        self.console.print(_outcome_table(execution))
        for table in findings_table(findings):
            self.console.print(table)
        checks = check_findings(self.sample, execution, findings)
        self.console.print(_checks_table(checks))
        return JobResult(execution, findings, checks)

    def _require(self, operators: list[str]) -> None:
        registered = {operation["Name"] for operation in self.workflows.operations()}
        missing = [name for name in operators if name not in registered]
        if missing:
            raise JobError(f"operators not registered: {', '.join(missing)}")

    def _upload_sample(self) -> str:
        workdir = Path(tempfile.mkdtemp(prefix="medialens-run-"))
        try:
            sample = make_news_video(workdir / "newscast.mp4", self.sample)
        except SampleMediaError as exc:
            raise JobError(f"cannot make the sample video: {exc}") from exc
        key = f"upload/run-{int(time.time() * 1000)}/newscast.mp4"
        form = self.dataplane.upload_url(key)
        with sample.open("rb") as media:
            response = requests.post(form["url"], data=form["fields"], files={"file": media}, timeout=30)
        if response.status_code not in (200, 204):
            raise JobError(f"upload of the sample video answered {response.status_code}")
        self.console.print(
            f"uploaded a {self.sample.seconds:.0f}-second newscast ({sample.stat().st_size:,} bytes: "
            f"speech, burnt-in text, a face) to s3://…/{key}"
        )
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

    def _findings(self, execution: dict[str, Any]) -> dict[str, Findings]:
        asset_id = execution["AssetId"]
        completed = [
            operation["Name"]
            for stage in execution.get("Stages", [])
            for operation in stage["Operations"]
            if operation["Status"] == "Complete" and operation["Name"] not in STAGES["MediaAnalysis"]
        ]
        return {name: read_findings(stored_documents(self.dataplane, asset_id, name)) for name in completed}


def _progress_table(record: dict[str, Any], elapsed: float) -> Table:
    table = Table(title=f"execution {record['Id']}: {record['Status']} ({elapsed:.1f} s)")
    table.add_column("stage")
    table.add_column("operator")
    table.add_column("status")
    for stage in record.get("Stages", []):
        for operation in stage["Operations"]:
            table.add_row(stage["Name"], operation["Name"], operation["Status"])
    return table


def _outcome_table(execution: dict[str, Any]) -> Table:
    table = Table(
        title=f"{execution['Workflow']['Name']} on asset {execution['AssetId']}: {execution['Status']}"
    )
    for column in ("stage", "operator", "status", "reported"):
        table.add_column(column)
    for stage in execution.get("Stages", []):
        for operation in stage["Operations"]:
            detail = operation.get("Message") or _summary(operation)
            table.add_row(stage["Name"], operation["Name"], operation["Status"], detail)
    if execution.get("Error"):
        table.add_row("(workflow)", "", execution["Status"], str(execution["Error"]))
    return table


def _summary(operation: dict[str, Any]) -> str:
    """A one-line view of what an operator reported in its output metadata and media."""
    facts = {key: value for key, value in operation.get("MetaData", {}).items() if len(str(value)) < 60}
    parts = [f"{key}={value}" for key, value in sorted(facts.items())]
    parts += [f"media {kind}" for kind in operation.get("Media", {})]
    return ", ".join(parts) or "-"


def _checks_table(checks: list[Check]) -> Table:
    table = Table(title="does the analysis match the sample?")
    for column in ("check", "result", "detail"):
        table.add_column(column)
    for check in checks:
        table.add_row(check.name, "[green]pass[/green]" if check.passed else "[red]FAIL[/red]", check.detail)
    return table
