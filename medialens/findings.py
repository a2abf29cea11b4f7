"""What the engines found, read from their stored VTN documents: words, faces, text, key phrases.

VTN (Veritone's engine output standard, `../shared/vtn-schemas`) puts findings in two places: time
series items (`series[]`, each with `startTimeMs` / `stopTimeMs` and an `object`, `words`, ...)
and whole-media entries (`object[]`); document-level fields such as `language` apply to all. The
readers here take both, so they hold for any engine that writes valid VTN.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from medialens_helper import DataPlane

MAX_PAGES = 1000  # a bound on the cursor walk; far beyond what one operator stores


@dataclass(frozen=True)
class Finding:
    """One thing found: its kind's text (a word, a read text, a label), span in ms, and more."""

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
    """Everything the documents hold, sorted by time."""
    found = Findings()
    for document in documents:
        if isinstance(document.get("language"), str):
            found.languages.append(document["language"])
        if isinstance(document.get("sentiment"), dict):
            found.sentiments.append(document["sentiment"])
        for item, start, stop in _entries(document):
            _read_entry(found, item, start, stop)
    for kind in (found.words, found.faces, found.texts, found.keywords, found.segments):
        kind.sort(key=lambda finding: (finding.start_ms, finding.stop_ms))
    return found


def _entries(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], int, int]]:
    for item in document.get("series") or []:
        if isinstance(item, dict):
            start, stop = _ms(item.get("startTimeMs")), _ms(item.get("stopTimeMs"))
            yield item, start, stop
            if isinstance(item.get("object"), dict):
                yield item["object"], start, stop
    for entry in document.get("object") or []:
        if isinstance(entry, dict):
            yield entry, _ms(entry.get("startTimeMs")), _ms(entry.get("stopTimeMs"))


def _read_entry(found: Findings, item: dict[str, Any], start: int, stop: int) -> None:
    words = item.get("words")
    if isinstance(words, list) and words:
        best = [w for w in words if isinstance(w, dict) and w.get("bestPath")] or words[:1]
        for word in best:
            if isinstance(word, dict) and word.get("word"):
                found.words.append(Finding(str(word["word"]), start, stop, _float(word.get("confidence"))))
    if isinstance(item.get("language"), str) and "words" not in item:
        found.languages.append(item["language"])
    if isinstance(item.get("sentiment"), dict):
        found.sentiments.append(item["sentiment"])
    kind = str(item.get("type", ""))
    label = str(item.get("label") or item.get("text") or "")
    confidence = _float(item.get("confidence"))
    box = _box(item.get("boundingPoly"))
    if kind == "face" or label == "face":
        found.faces.append(Finding(label or "face", start, stop, confidence, box))
    elif kind == "text" and item.get("text"):
        found.texts.append(Finding(str(item["text"]), start, stop, confidence, box))
    elif kind == "keyword" and label:
        found.keywords.append(Finding(label, start, stop, confidence))
    elif kind and label and kind not in ("text", "keyword"):
        name = f"{kind}: {label}" if kind != label else label
        found.segments.append(Finding(name, start, stop, confidence))


def _box(polygon: Any) -> tuple[float, float, float, float] | None:
    if not isinstance(polygon, list) or not polygon:
        return None
    xs = [_float(point.get("x")) or 0.0 for point in polygon if isinstance(point, dict)]
    ys = [_float(point.get("y")) or 0.0 for point in polygon if isinstance(point, dict)]
    return (min(xs), min(ys), max(xs), max(ys)) if xs and ys else None


def _ms(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
