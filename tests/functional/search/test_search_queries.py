"""What users type to `medialens search`: file names, paths, ids, key:value, operators, junk.

Every input either finds what it means or raises `QuerySyntaxError` saying how to write it; no
input reaches SQLite as a syntax it refuses.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.search.query import HOW_TO, QuerySyntaxError, parse
from api.search.sqlite_index import SearchIndexError, SqliteSearchIndex

ASSET = str(uuid.UUID(int=1))
OTHER_ASSET = str(uuid.UUID(int=2))
WORKFLOW = str(uuid.UUID(int=3))


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SqliteSearchIndex:
    index = SqliteSearchIndex(tmp_path_factory.mktemp("search") / "search.sqlite3")
    documents: list[tuple[str, str, Any]] = [
        (ASSET, "Mediainfo", {"File": "upload/test_image.jpg", "VideoCodec": "AVC", "Width": 320}),
        (ASSET, "Thumbnail", {"S3Key": "private/assets/x/thumbnail.jpg", "Width": 160}),
        (OTHER_ASSET, "Mediainfo", {"File": "upload/sample.mp4", "VideoCodec": "HEVC", "Note": "it's fine"}),
    ]
    for position, (asset, operator, results) in enumerate(documents):
        index.put_document(
            f"medialens-{operator.lower()}",
            f"{asset}/{operator}",
            {
                "AssetId": asset,
                "Operator": operator,
                "WorkflowId": WORKFLOW if asset == ASSET else "wf-other",
                "Page": 1,
                "Timestamp": f"2026-11-23T07:00:0{position}Z",
                "Results": results,
            },
        )
    return index


def _found(index: SqliteSearchIndex, query: str, **options: Any) -> set[tuple[str, str]]:
    return {(hit.asset_id, hit.operator) for hit in index.search(query, **options)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("test_image.jpg", {(ASSET, "Mediainfo")}),
        ("upload/test_image.jpg", {(ASSET, "Mediainfo")}),
        ("private/assets/x/thumbnail.jpg", {(ASSET, "Thumbnail")}),
        ("sample.mp4", {(OTHER_ASSET, "Mediainfo")}),
        (ASSET, {(ASSET, "Mediainfo"), (ASSET, "Thumbnail")}),
        (ASSET.upper(), {(ASSET, "Mediainfo"), (ASSET, "Thumbnail")}),
        (WORKFLOW, {(ASSET, "Mediainfo"), (ASSET, "Thumbnail")}),
        (f"asset:{OTHER_ASSET}", {(OTHER_ASSET, "Mediainfo")}),
        ("operator:Thumbnail", {(ASSET, "Thumbnail")}),
        ("Operator:Mediainfo VideoCodec:HEVC", {(OTHER_ASSET, "Mediainfo")}),
        ("VideoCodec:AVC", {(ASSET, "Mediainfo")}),
        ("Width:160", {(ASSET, "Thumbnail")}),
        ('File:"upload/sample.mp4"', {(OTHER_ASSET, "Mediainfo")}),
        ("AVC OR HEVC", {(ASSET, "Mediainfo"), (OTHER_ASSET, "Mediainfo")}),
        ("VideoCodec NOT HEVC", {(ASSET, "Mediainfo")}),
        ("(AVC OR HEVC) AND upload", {(ASSET, "Mediainfo"), (OTHER_ASSET, "Mediainfo")}),
        ("thumb*", {(ASSET, "Thumbnail")}),
        ('"test image"', {(ASSET, "Mediainfo")}),
        ("it's", {(OTHER_ASSET, "Mediainfo")}),
        ("avc -", {(ASSET, "Mediainfo")}),
        ("nothing-like-this", set()),
        ("or", set()),
    ],
)
def test_what_users_type_finds_what_it_means(
    index: SqliteSearchIndex, query: str, expected: set[Any]
) -> None:
    assert _found(index, query) == expected


def test_options_narrow_a_query(index: SqliteSearchIndex) -> None:
    assert _found(index, "Width", operator="Thumbnail") == {(ASSET, "Thumbnail")}
    assert _found(index, "Mediainfo OR upload", asset_id=OTHER_ASSET) == {(OTHER_ASSET, "Mediainfo")}


def test_filters_alone_list_newest_first_with_a_plain_snippet(index: SqliteSearchIndex) -> None:
    hits = index.search(f"asset:{ASSET}")
    assert [hit.operator for hit in hits] == ["Thumbnail", "Mediainfo"]
    assert "thumbnail" in hits[0].snippet


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ('"unclosed', "a quote is not closed"),
        ("AVC OR", "the query ends where a word was expected"),
        ("OR AVC", "OR needs a word on each side"),
        ("NOT AVC", "NOT needs a word on each side"),
        ("AVC AND AND HEVC", "AND needs a word on each side"),
        ("(AVC OR HEVC", "a ( is not closed"),
        ("AVC)", "unexpected )"),
        ("", "nothing to search for"),
        ("  ...  ", "nothing to search for"),
        ("-", "nothing to search for"),
    ],
)
def test_an_unreadable_query_says_how_to_write_it(index: SqliteSearchIndex, query: str, problem: str) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        index.search(query)
    message = str(raised.value)
    assert message == f"{problem}; {HOW_TO}"
    assert "\n" not in message


# Pieces of what people type, so the search meets operators, quotes and ids far more than at random.
_PIECES = [*"abcXYZ019 _-.:/*\"()'^+{}[],;\\", "OR", "AND", "NOT", " OR ", "é", "\t", ASSET, "asset:", "key:"]
_TYPED = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(_TYPED, st.text(max_size=30)))
def test_no_input_reaches_sqlite_as_an_error(index: SqliteSearchIndex, text: str) -> None:
    try:
        hits = index.search(text)
    except QuerySyntaxError as exc:
        assert str(exc).endswith(HOW_TO)
    else:
        assert isinstance(hits, list)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=30))
def test_every_parsed_query_is_valid_fts5(text: str) -> None:
    try:
        parsed = parse(text)
    except QuerySyntaxError:
        return
    if parsed.match is None:
        return
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE VIRTUAL TABLE t USING fts5(content)")
        db.execute("SELECT * FROM t WHERE t MATCH ?", [parsed.match]).fetchall()


def test_an_index_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "search.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(
        SearchIndexError, match=f"cannot read the search index {path}: it is locked or damaged"
    ):
        SqliteSearchIndex(path).search("anything")
