"""What a harness run found: a row per chunk (or per task and result), the failures, the merged
VTN document; printed as a rich table and written as `report.json` + `merged-vtn.json`.

report.json::

    {"passed": bool, "failures": ["<one-line reason>", ...], "warnings": [...],
     "summary": {"chunksSent", "chunksSucceeded", "chunksIgnored", "chunksFailed", "mediaObjects",
                 "seriesCount", "objectCount"},
     "engine": {"mode", "processUrl", "readyUrl", "command"}, "media": {"path", "kind",
     "mimeType", "generated"}, "ready": {"polls", "ms"},
     "validation": {"mode", "contracts", "problems": ["<JSON path>: <message>", ...]},
     "rows": [{"name", "startMs", "endMs", "status", "attempts", "timeMs", "series", "objects",
               "violations", "detail"}, ...],
     "task": {"heartbeats", "results", "repeatedResults", "refusedCalls", "callsPastMaxTTL",
              "lastHeartbeat"} (stream / batch only),
     "mergedVtn": "merged-vtn.json" or null}
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

REPORT_FILE = "report.json"
MERGED_FILE = "merged-vtn.json"
DETAIL_CHARS = 160


@dataclass
class Row:
    """One chunk's call, or a task's call or one of its results; times in ms."""

    name: str
    startMs: int  # noqa: N815 - report.json's field names
    endMs: int  # noqa: N815
    status: str
    attempts: int = 0
    timeMs: int = 0  # noqa: N815
    series: int = 0
    objects: int = 0
    violations: int = 0
    detail: str = ""


@dataclass
class Report:
    engine: dict[str, Any] = field(default_factory=dict)
    media: dict[str, Any] = field(default_factory=dict)
    ready: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    task: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    merged: dict[str, Any] | None = None

    @property
    def passed(self) -> bool:
        return not self.failures

    def fail(self, reason: str) -> None:
        """Record a failure: one line (newlines in an engine's text become spaces)."""
        self.failures.append(" ".join(reason.split()))

    def write(self, folder: Path) -> Path:
        """report.json (and merged-vtn.json when there is a merged document) in `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        merged_name = None
        if self.merged is not None:
            merged_name = MERGED_FILE
            (folder / MERGED_FILE).write_text(json.dumps(self.merged, indent=2) + "\n")
        document = {
            "passed": self.passed,
            "failures": self.failures,
            "warnings": self.warnings,
            "engine": self.engine,
            "media": self.media,
            "ready": self.ready,
            "validation": self.validation,
            "summary": self.summary(),
            "rows": [asdict(row) for row in self.rows],
            **({"task": self.task} if self.task is not None else {}),
            "mergedVtn": merged_name,
        }
        path = folder / REPORT_FILE
        path.write_text(json.dumps(document, indent=2) + "\n")
        return path

    def summary(self) -> dict[str, int]:
        """Counts as the platform's workflow metadata gives them (`EngineChunksSent`, ...)."""
        chunks = Counter(row.status for row in self.rows if row.name.startswith("chunk "))
        series, objects = counts(self.merged)
        return {
            "chunksSent": sum(chunks.values()),
            "chunksSucceeded": chunks["SUCCESS"],
            "chunksIgnored": chunks["IGNORED"],
            "chunksFailed": chunks["ERROR"],
            "mediaObjects": chunks["MEDIA"],
            "seriesCount": series,
            "objectCount": objects,
        }

    def summary_line(self) -> str:
        counted = self.summary()
        merged = f"merged: {counted['seriesCount']} series, {counted['objectCount']} objects"
        if self.task is not None:
            return f"task: {self.task['heartbeats']} heartbeats, {self.task['results']} results; {merged}"
        return (
            f"{counted['chunksSent']} chunks: {counted['chunksSucceeded']} succeeded, "
            f"{counted['chunksIgnored']} ignored, {counted['chunksFailed']} failed; {merged}"
        )

    def table(self) -> Table:
        title = f"{self.engine.get('mode', '?')} engine at {self.engine.get('processUrl', '?')}"
        table = Table(title=escape(title), title_justify="left")
        for column in ("", "span ms", "status", "attempts", "ms", "series", "VTN problems"):
            justify = "left" if column in ("", "span ms", "status") else "right"
            table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
        table.add_column("detail", ratio=1)
        for row in self.rows:
            colour = "red" if row.status in ("ERROR", "FAILED") or (row.violations and self._strict) else ""
            status = f"[{colour}]{row.status}[/{colour}]" if colour else row.status
            detail = row.detail if len(row.detail) <= DETAIL_CHARS else row.detail[:DETAIL_CHARS] + "..."
            table.add_row(
                escape(row.name),
                f"{row.startMs}-{row.endMs}",
                status,
                str(row.attempts),
                str(row.timeMs),
                str(row.series),
                str(row.violations),
                escape(detail),
            )
        return table

    @property
    def _strict(self) -> bool:
        return self.validation.get("mode") == "strict"


def counts(output: Any) -> tuple[int, int]:
    """(series items, object items) of a VTN document; (0, 0) for anything else."""
    if not isinstance(output, dict):
        return 0, 0
    series, objects = output.get("series"), output.get("object")
    return (len(series) if isinstance(series, list) else 0, len(objects) if isinstance(objects, list) else 0)
