"""Findings: one row per thing found in a stored VTN result, kept in step with its document."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from api.search.findings import Finding, findings
from api.search.sqlite_index import SqliteSearchIndex

VTN_SCHEMAS = Path(__file__).resolve().parents[3].parent / "shared" / "vtn-schemas" / "v1"

FACE = {
    "startTimeMs": 2000,
    "stopTimeMs": 3000,
    "object": {
        "type": "face",
        "confidence": 0.93,
        "boundingPoly": [
            {"x": 0.25, "y": 0.1},
            {"x": 0.75, "y": 0.1},
            {"x": 0.75, "y": 0.6},
            {"x": 0.25, "y": 0.6},
        ],
    },
}
WORDS = {
    "startTimeMs": 500,
    "stopTimeMs": 900,
    "words": [{"word": "hallo", "confidence": 0.4}, {"word": "hello", "confidence": 0.8, "bestPath": True}],
}


def test_series_objects_words_and_top_level_objects_become_findings() -> None:
    results = {
        "series": [
            FACE,
            WORDS,
            {"startTimeMs": 0, "stopTimeMs": 10, "object": {"type": "text", "text": "EXIT"}},
        ],
        "object": [{"type": "keyword", "label": "true gentleman"}],
        "language": "en-US",
    }
    assert findings(results) == [
        Finding("face", "face", 2000, 3000, 0.93, {"left": 0.25, "top": 0.1, "width": 0.5, "height": 0.5}),
        Finding("transcript", "hello", 500, 900, 0.8),
        Finding("text", "EXIT", 0, 10),
        Finding("keyword", "true gentleman"),
        Finding("language", "en-US"),
    ]


@pytest.mark.parametrize(
    "results",
    [
        None,
        [],
        "text",
        {"Codec": "AVC", "Duration": 3.0},
        {"series": "not a list"},
        {"series": [None, 3, {"startTimeMs": "soon", "words": [{"word": 7}]}]},
        {"series": [{"object": {"type": "face", "boundingPoly": [{"x": "a", "y": 1}]}}]},
    ],
)
def test_other_shapes_give_no_findings_or_only_what_is_well_formed(results: Any) -> None:
    found = findings(results)
    assert all(f.box is None and (f.start_ms is None or f.start_ms >= 0) for f in found)
    assert [f.kind for f in found] in ([], ["face"])


def test_every_publisher_example_of_the_vtn_schemas_is_read_without_error() -> None:
    examples = sorted(VTN_SCHEMAS.glob("*/examples/*.json"))
    assert examples, f"no VTN examples under {VTN_SCHEMAS}"
    kinds = {f.kind for path in examples for f in findings(json.loads(path.read_text()))}
    assert {"object", "transcript", "keyword", "text"} <= kinds


def _rows(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT f.asset_id, f.operator, f.kind, f.label FROM findings f"
            " JOIN findings_text t ON t.rowid = f.id WHERE findings_text MATCH 'hello OR face' ORDER BY f.id"
        ).fetchall()


def test_the_index_keeps_findings_with_their_document_and_drops_them_with_it(tmp_path: Path) -> None:
    index = SqliteSearchIndex(tmp_path / "search.sqlite3")
    body = {
        "AssetId": "a1",
        "Operator": "Faces",
        "WorkflowId": "w1",
        "Page": 0,
        "Results": {"series": [FACE]},
    }
    index.put_document("medialens-faces", "a1/0", body)
    index.put_document(
        "medialens-words", "a1/0", {**body, "Operator": "Words", "Results": {"series": [WORDS]}}
    )
    assert _rows(index.path) == [("a1", "Faces", "face", "face"), ("a1", "Words", "transcript", "hello")]

    index.put_document("medialens-faces", "a1/0", body)  # a redelivered record rewrites, never duplicates
    assert len(_rows(index.path)) == 2

    index.delete_matching("medialens-*", {"AssetId": "a1", "Operator": "Faces"})
    assert _rows(index.path) == [("a1", "Words", "transcript", "hello")]
    with sqlite3.connect(index.path) as db:
        assert db.execute("SELECT count(*) FROM findings_text").fetchone() == (1,)
