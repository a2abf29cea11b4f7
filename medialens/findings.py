"""What the engines found, grouped for the main job: words, faces, text read, key phrases, segments.

The findings of each stored VTN document are those the search index takes
(`api.search.findings`: series items and whole-media objects, times in ms from the start of the
media, boxes as fractions of the frame); this module reads every page of an operator's results
through the dataplane API and groups them by kind. Sentiment scores, which VTN attaches to a text
object or to the document, are read here too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from medialens_helper import DataPlane

from api.search.findings import findings as document_findings

MAX_PAGES = 1000  # a bound on the cursor walk; far beyond what one operator stores


@dataclass(frozen=True)
class Finding:
    """One thing found: its text (a word, a read text, a label), span in ms, confidence, box."""

    text: str
    start_ms: int
    stop_ms: int
    confidence: float | None = None
    box: tuple[float, float, float, float] | None = None  # relative left, top, right, bottom


@dataclass
class Findings:
    words: list[Finding] = field(default_factory=list)
    faces: list[Finding] = field(default_factory=list)
    texts: list[Finding] = field(default_factory=list)
    keywords: list[Finding] = field(default_factory=list)
    segments: list[Finding] = field(default_factory=list)  # shots, black frames, silences, labels
    languages: list[str] = field(default_factory=list)
    sentiments: list[dict[str, Any]] = field(default_factory=list)


GROUPS = {"transcript": "words", "face": "faces", "text": "texts", "keyword": "keywords"}


def stored_documents(dataplane: DataPlane, asset_id: str, operator: str) -> list[dict[str, Any]]:
    """Every page `operator` stored for the asset (a paged result is several VTN documents)."""
    documents: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        response = dataplane.retrieve_asset_metadata(asset_id, operator, cursor=cursor)
        results = response.get("results")
        pages: list[Any] = results if isinstance(results, list) else [results]
        documents.extend(page for page in pages if isinstance(page, dict))
        cursor = response.get("cursor")
        if not cursor:
            break
    return documents


def read_findings(documents: list[dict[str, Any]]) -> Findings:
    """Everything the documents hold, each kind sorted by time."""
    found = Findings()
    for document in documents:
        for finding in document_findings(document):
            if finding.kind == "language":
                found.languages.append(finding.label)
                continue
            item = Finding(
                finding.label if finding.kind in (*GROUPS, "object") else f"{finding.kind}: {finding.label}",
                finding.start_ms or 0,
                finding.stop_ms or 0,
                finding.confidence,
                _edges(finding.box),
            )
            getattr(found, GROUPS.get(finding.kind, "segments")).append(item)
        found.sentiments.extend(_sentiments(document))
    for kind in (found.words, found.faces, found.texts, found.keywords, found.segments):
        kind.sort(key=lambda finding: (finding.start_ms, finding.stop_ms))
    return found


def _sentiments(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """VTN sentiment scores: on the document, on whole-media objects and on series items."""
    holders = [document, *(document.get("object") or []), *(document.get("series") or [])]
    for holder in holders:
        if isinstance(holder, dict):
            for candidate in (holder, holder.get("object")):
                if isinstance(candidate, dict) and isinstance(candidate.get("sentiment"), dict):
                    yield candidate["sentiment"]


def _edges(box: dict[str, float] | None) -> tuple[float, float, float, float] | None:
    if box is None:
        return None
    return (box["left"], box["top"], box["left"] + box["width"], box["top"] + box["height"])
