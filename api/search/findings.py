"""The findings of a stored result: one row per thing an operator found, for Discover and timelines.

A finding is what a person looks for along the media's time axis: a face, a label, a line of text
read, a transcript word, a key phrase, a language. Results in the VTN standard (seed 000, and the
schemas in `vtn-schemas/v1`) carry them in two places:

- `series[]`: items with `startTimeMs` / `stopTimeMs` and one of `object` (`type` face | object |
  text | logo | ..., with `label` or `text`, `confidence` and a relative `boundingPoly`) or
  `words` (transcript alternatives; the `bestPath` one, else the most confident, is the word);
  `language`, `sentiment`, `entity` and `keyword` items are kept by their key's name;
- top-level `object[]` (findings without a time: key phrases, page text, sentiment) and a
  top-level `language`.

Results of any other shape (technical metadata, a thumbnail's location) have no findings. Times
are milliseconds from the start of the media; a bounding box is `{left, top, width, height}` in
fractions of the frame, the smallest box around the polygon.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_LABEL_CHARS = 500


@dataclass(frozen=True)
class Finding:
    kind: str
    label: str
    start_ms: int | None = None
    stop_ms: int | None = None
    confidence: float | None = None
    box: dict[str, float] | None = None


def findings(results: Any) -> list[Finding]:
    """Every finding of one result document (a page of an operator's results); [] if none."""
    if not isinstance(results, dict):
        return []
    found = list(_series(results.get("series")))
    objects = results.get("object")
    if isinstance(objects, list):
        found += [f for item in objects if isinstance(item, dict) for f in _object(item, None, None)]
    language = results.get("language")
    if isinstance(language, str) and language:
        found.append(Finding("language", language[:MAX_LABEL_CHARS]))
    return found


def _series(series: Any) -> Iterator[Finding]:
    if not isinstance(series, list):
        return
    for item in series:
        if not isinstance(item, dict):
            continue
        start, stop = _milliseconds(item.get("startTimeMs")), _milliseconds(item.get("stopTimeMs"))
        if isinstance(item.get("object"), dict):
            yield from _object(item["object"], start, stop)
        if isinstance(item.get("words"), list):
            word = _best_word(item["words"])
            if word is not None:
                yield Finding("transcript", word[0], start, stop, word[1])
        for key in ("language", "keyword", "entity", "sentiment"):
            value = item.get(key)
            label = value if isinstance(value, str) else _label_of(value)
            if label:
                yield Finding(key, label, start, stop)


def _object(item: dict[str, Any], start: int | None, stop: int | None) -> Iterator[Finding]:
    kind = str(item["type"]) if isinstance(item.get("type"), str) else "object"
    label = _label_of(item) or kind
    start = _milliseconds(item.get("startTimeMs"), start)
    stop = _milliseconds(item.get("stopTimeMs"), stop)
    yield Finding(
        str(kind), label, start, stop, _confidence(item.get("confidence")), _box(item.get("boundingPoly"))
    )


def _label_of(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    for key in ("label", "text", "name", "keyword", "value"):
        if isinstance(value.get(key), str) and value[key].strip():
            return str(value[key]).strip()[:MAX_LABEL_CHARS]
    return ""


def _best_word(words: list[Any]) -> tuple[str, float | None] | None:
    candidates = [w for w in words if isinstance(w, dict) and isinstance(w.get("word"), str)]
    if not candidates:
        return None
    best = next((w for w in candidates if w.get("bestPath") is True), None)
    if best is None:
        best = max(candidates, key=lambda w: _confidence(w.get("confidence")) or 0.0)
    return str(best["word"])[:MAX_LABEL_CHARS], _confidence(best.get("confidence"))


def _milliseconds(value: Any, default: int | None = None) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return default
    return int(value)


def _confidence(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _box(polygon: Any) -> dict[str, float] | None:
    if not isinstance(polygon, list):
        return None
    points = [
        (float(p["x"]), float(p["y"]))
        for p in polygon
        if isinstance(p, dict) and all(isinstance(p.get(k), int | float) for k in ("x", "y"))
    ]
    if len(points) < 2:
        return None
    xs, ys = [x for x, _ in points], [y for _, y in points]
    left, top = max(0.0, min(xs)), max(0.0, min(ys))
    right, bottom = min(1.0, max(xs)), min(1.0, max(ys))
    if right <= left or bottom <= top:
        return None
    return {"left": left, "top": top, "width": right - left, "height": bottom - top}
