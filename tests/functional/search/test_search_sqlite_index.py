"""The local runtime's search index: the consumer's two calls, and full-text queries over results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.search.index import IndexAction
from api.search.query import QuerySyntaxError
from api.search.sqlite_index import SqliteSearchIndex


def _document(asset: str, operator: str, page: int, results: Any, workflow: str = "wf-1") -> dict[str, Any]:
    return {
        "AssetId": asset,
        "Operator": operator,
        "WorkflowId": workflow,
        "Page": page,
        "Timestamp": "2026-11-23T07:00:00Z",
        "Results": results,
    }


@pytest.fixture
def index(tmp_path: Path) -> SqliteSearchIndex:
    return SqliteSearchIndex(tmp_path / "state" / "search.sqlite3")


def test_results_are_found_by_their_words_and_keys(index: SqliteSearchIndex) -> None:
    index.put_document(
        "medialens-labels", "a1/1", _document("a1", "Labels", 1, {"Labels": [{"Name": "Zebra"}]})
    )
    index.put_document(
        "medialens-labels", "a2/1", _document("a2", "Labels", 1, {"Labels": [{"Name": "Horse"}]})
    )

    [hit] = index.search("zebra")

    assert (hit.index, hit.document_id, hit.asset_id, hit.operator, hit.page) == (
        "medialens-labels",
        "a1/1",
        "a1",
        "Labels",
        1,
    )
    assert "[Zebra]" in hit.snippet
    assert {h.asset_id for h in index.search("Name")} == {"a1", "a2"}


def test_a_document_put_again_replaces_the_old_text(index: SqliteSearchIndex) -> None:
    index.put_document("medialens-labels", "a1/1", _document("a1", "Labels", 1, {"Word": "before"}))
    index.put_document("medialens-labels", "a1/1", _document("a1", "Labels", 1, {"Word": "after"}))

    assert index.search("before") == []
    assert [h.document_id for h in index.search("after")] == ["a1/1"]


def test_queries_narrow_by_operator_and_asset(index: SqliteSearchIndex) -> None:
    for asset in ("a1", "a2"):
        for operator in ("Labels", "Text"):
            index.put_document(
                f"medialens-{operator.lower()}", f"{asset}/1", _document(asset, operator, 1, "cat")
            )

    assert {(h.asset_id, h.operator) for h in index.search("cat", operator="Text", asset_id="a2")} == {
        ("a2", "Text")
    }
    assert len(index.search("cat", limit=3)) == 3


def test_deletes_match_the_index_pattern_and_the_fields(index: SqliteSearchIndex) -> None:
    for asset in ("a1", "a2"):
        for operator in ("Labels", "Text"):
            index.put_document(
                f"medialens-{operator.lower()}", f"{asset}/1", _document(asset, operator, 1, "cat")
            )

    assert index.delete_matching("medialens-labels", {"AssetId": "a1"}) == 1
    assert index.delete_matching("medialens-*", {"AssetId": "a2"}) == 2
    assert index.delete_matching("medialens-*", {"AssetId": "nobody"}) == 0

    assert [(h.asset_id, h.operator) for h in index.search("cat")] == [("a1", "Text")]


def test_a_delete_on_an_unknown_field_is_refused(index: SqliteSearchIndex) -> None:
    with pytest.raises(ValueError, match="cannot match on Colour"):
        index.delete_matching("medialens-*", {"Colour": "red"})


def test_a_malformed_query_says_how_to_write_it_not_an_empty_answer(index: SqliteSearchIndex) -> None:
    index.put_document("medialens-labels", "a1/1", _document("a1", "Labels", 1, "cat"))
    with pytest.raises(QuerySyntaxError, match="a quote is not closed; write words"):
        index.search('"unbalanced')


def test_a_bulk_write_lands_every_document_and_replaces_earlier_ones(index: SqliteSearchIndex) -> None:
    index.put_document("medialens-labels", "a1/1", _document("a1", "Labels", 1, "before"))

    results = index.bulk_index(
        [
            IndexAction.of("medialens-labels", "a1/1", _document("a1", "Labels", 1, "after")),
            IndexAction.of("medialens-text", "a1/1", _document("a1", "Text", 1, "after")),
        ]
    )

    assert [result.status for result in results] == [200, 200]
    assert index.search("before") == []
    assert {(h.index, h.document_id) for h in index.search("after")} == {
        ("medialens-labels", "a1/1"),
        ("medialens-text", "a1/1"),
    }
