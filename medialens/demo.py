"""The main job of `make run`: use the dataplane as a client would, over signed HTTP.

Each step checks what it got back; the job fails (non-zero exit) at the first step that does
not behave, and prints what it did either way.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests
from medialens_helper import DataPlane, DataplaneNotFoundError, HttpTransport
from rich.console import Console
from rich.table import Table

from medialens.sample_media import make_sample_video
from medialens.state import Endpoints, LocalCredentials

PAGES = 3
LABELS_PER_PAGE = 50


class DemoStepError(Exception):
    """A step of the demo got something other than what the platform promises."""


@dataclass
class DemoReport:
    rows: list[tuple[str, str, float]] = field(default_factory=list)
    failed: str | None = None

    @property
    def ok(self) -> bool:
        return self.failed is None


class DataplaneDemo:
    """One run of the dataplane walk-through against a running platform."""

    def __init__(self, endpoints: Endpoints, credentials: LocalCredentials, console: Console) -> None:
        self.endpoints = endpoints
        self.console = console
        self.session = boto3.Session(
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            region_name=credentials.region,
        )
        self.dataplane = DataPlane(HttpTransport(endpoints.dataplane_api, session=self.session))
        self.workdir = Path(tempfile.mkdtemp(prefix="medialens-demo-"))
        self.asset_id = ""
        self.sample = self.workdir / "sample.mp4"
        self.upload_key = f"upload/demo-{int(time.time() * 1000)}/sample.mp4"

    def run(self) -> DemoReport:
        report = DemoReport()
        steps: list[tuple[str, Callable[[], str]]] = [
            ("generate a sample video", self.generate_sample),
            ("upload it with a presigned POST", self.upload_sample),
            ("create an asset from it", self.create_asset),
            (f"store {PAGES} pages of metadata", self.store_pages),
            ("read the pages back by cursor", self.read_pages),
            ("find one Kinesis record per write", self.check_stream),
            ("download the asset's media", self.download_media),
            ("delete the asset", self.delete_asset),
            ("refuse an unsigned request", self.unsigned_refused),
        ]
        for title, step in steps:
            started = time.perf_counter()
            try:
                detail = step()
            except Exception as exc:  # the demo reports any failure as the step's result
                report.failed = f"{title}: {type(exc).__name__}: {exc}"
                report.rows.append((title, f"[red]FAILED[/red] {type(exc).__name__}: {exc}", 0.0))
                break
            report.rows.append((title, detail, (time.perf_counter() - started) * 1000))
        self.console.print(_table(report))
        return report

    def generate_sample(self) -> str:
        make_sample_video(self.sample)
        return f"{self.sample.stat().st_size:,} bytes of H.264/AAC"

    def upload_sample(self) -> str:
        form = self.dataplane.upload_url(self.upload_key)
        with self.sample.open("rb") as media:
            response = requests.post(form["url"], data=form["fields"], files={"file": media}, timeout=30)
        _expect(response.status_code in (200, 204), f"upload answered {response.status_code}")
        return f"s3://{self.endpoints.dataplane_bucket}/{self.upload_key}"

    def create_asset(self) -> str:
        created = self.dataplane.create_asset(self.endpoints.dataplane_bucket, self.upload_key)
        self.asset_id = created["AssetId"]
        _expect(created["S3Key"].startswith(f"private/assets/{self.asset_id}/"), "media not under the asset")
        return f"asset {self.asset_id}"

    def store_pages(self) -> str:
        for page in range(1, PAGES + 1):
            stored = self.dataplane.store_asset_metadata(
                self.asset_id,
                "DemoLabels",
                "demo-workflow",
                _page_results(page),
                paginate=True,
                end=page == PAGES,
            )
            _expect(stored["Page"] == page, f"page {page} stored as {stored['Page']}")
        return f"{PAGES} pages x {LABELS_PER_PAGE} labels, last marked complete"

    def read_pages(self) -> str:
        response = self.dataplane.retrieve_asset_metadata(self.asset_id, "DemoLabels")
        pages = [response["results"]]
        while "cursor" in response and len(pages) <= PAGES:
            response = self.dataplane.retrieve_asset_metadata(
                self.asset_id, "DemoLabels", cursor=response["cursor"]
            )
            pages.append(response["results"])
        expected = [_page_results(page) for page in range(1, PAGES + 1)]
        _expect(pages == expected, f"read {len(pages)} pages that differ from what was stored")
        return f"{len(pages)} pages, identical to what was stored"

    def check_stream(self) -> str:
        records = _stream_records_for(self.session, self.endpoints, self.asset_id)
        puts = [record for record in records if record["Action"] == "PUT"]
        _expect(len(puts) == PAGES, f"expected {PAGES} PUT records, found {len(puts)}")
        _expect(all(record["SchemaVersion"] == 1 for record in puts), "unexpected schema version")
        return f"{len(puts)} PUT records with pointers to the pages"

    def download_media(self) -> str:
        asset_key = f"private/assets/{self.asset_id}/input/sample.mp4"
        url = self.dataplane.download_url(asset_key)["Url"]
        body = requests.get(url, timeout=30).content
        _expect(body == self.sample.read_bytes(), "downloaded media differs from the upload")
        return f"{len(body):,} bytes, identical to the upload"

    def delete_asset(self) -> str:
        self.dataplane.delete_asset(self.asset_id)
        try:
            self.dataplane.retrieve_asset_metadata(self.asset_id)
        except DataplaneNotFoundError:
            return "gone: reading it now answers 404"
        raise DemoStepError("the asset can still be read after delete")

    def unsigned_refused(self) -> str:
        response = requests.get(self.endpoints.dataplane_api + "/metadata", timeout=10)
        _expect(response.status_code == 403, f"unsigned request answered {response.status_code}")
        return "403 " + response.json().get("message", "")


def _page_results(page: int) -> dict[str, Any]:
    base = (page - 1) * LABELS_PER_PAGE
    return {"Labels": [{"Name": f"label-{base + i}", "Confidence": 90.0} for i in range(LABELS_PER_PAGE)]}


def _stream_records_for(session: boto3.Session, endpoints: Endpoints, asset_id: str) -> list[dict[str, Any]]:
    kinesis = session.client("kinesis", endpoint_url=endpoints.moto_url)
    stream = kinesis.list_streams()["StreamNames"][0]
    found: list[dict[str, Any]] = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        for _ in range(100):  # bounded: the demo's records are few
            batch = kinesis.get_records(ShardIterator=iterator, Limit=1000)
            found.extend(json.loads(record["Data"]) for record in batch["Records"])
            iterator = batch.get("NextShardIterator")
            if not batch["Records"] or not iterator:
                break
    return [record for record in found if record.get("AssetId") == asset_id]


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise DemoStepError(message)


def _table(report: DemoReport) -> Table:
    table = Table(title="Medialens dataplane walk-through", show_lines=False)
    table.add_column("step")
    table.add_column("result")
    table.add_column("ms", justify="right")
    for title, detail, millis in report.rows:
        table.add_row(title, detail, f"{millis:.0f}" if millis else "")
    return table
