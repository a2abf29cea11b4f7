"""The search index of the local runtime: one SQLite file with an FTS5 table over the results.

The same documents the consumer writes to OpenSearch, kept in `documents` (one row per index and
id) with their text in `documents_text` for full-text queries, and what each one found
(`api.search.findings`) in `findings`, one row per face, word, label, ..., with its label in
`findings_text` (rowid = finding id) for the local Discover view. Every call opens its own
connection: the consumer (one worker process) writes while the CLI reads, which WAL mode allows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.search.findings import findings
from api.search.index import IndexAction, ItemResult
from api.search.query import Filter, QuerySyntaxError, parse

# Document fields a delete may match on -> their columns.
_TERM_COLUMNS = {"AssetId": "asset_id", "Operator": "operator", "WorkflowId": "workflow_id"}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    index_name TEXT NOT NULL, doc_id TEXT NOT NULL, asset_id TEXT, operator TEXT, workflow_id TEXT,
    page INTEGER, timestamp TEXT, body TEXT NOT NULL, PRIMARY KEY (index_name, doc_id));
CREATE VIRTUAL TABLE IF NOT EXISTS documents_text USING fts5(content);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY, document INTEGER NOT NULL, asset_id TEXT, operator TEXT, workflow_id TEXT,
    kind TEXT, label TEXT, start_ms INTEGER, stop_ms INTEGER, confidence REAL, box TEXT);
CREATE INDEX IF NOT EXISTS findings_by_document ON findings (document);
CREATE INDEX IF NOT EXISTS findings_by_asset ON findings (asset_id, start_ms);
CREATE VIRTUAL TABLE IF NOT EXISTS findings_text USING fts5(label);
"""


_PLAIN_SNIPPET_CHARS = 80


class SearchIndexError(RuntimeError):
    """The index file cannot be read (locked by a writer past the timeout, or not an index)."""


@dataclass(frozen=True)
class SearchHit:
    index: str
    document_id: str
    asset_id: str
    operator: str
    page: int
    snippet: str


class SqliteSearchIndex:
    def __init__(self, path: Path) -> None:
        self.path = path

    def ensure(self) -> None:
        """Create the file and its tables if they are missing (readers such as Datasette need them)."""
        with self._connection():
            pass

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)
            with connection:  # one transaction
                yield connection

    def bulk_index(self, actions: Sequence[IndexAction]) -> list[ItemResult]:
        """Create or replace the documents in one transaction: all land, or the call raises."""
        with self._connection() as db:
            for action in actions:
                self._put(db, action.index, action.document_id, json.loads(action.source))
        return [ItemResult(200) for _ in actions]

    def put_document(self, index: str, document_id: str, body: dict[str, Any]) -> None:
        with self._connection() as db:
            self._put(db, index, document_id, body)

    @classmethod
    def _put(cls, db: sqlite3.Connection, index: str, document_id: str, body: dict[str, Any]) -> None:
        cls._delete_rows(db, "index_name = ? AND doc_id = ?", [index, document_id])
        cursor = db.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                index,
                document_id,
                body.get("AssetId"),
                body.get("Operator"),
                body.get("WorkflowId"),
                body.get("Page"),
                body.get("Timestamp"),
                json.dumps(body, separators=(",", ":")),
            ),
        )
        db.execute(
            "INSERT INTO documents_text (rowid, content) VALUES (?, ?)",
            (cursor.lastrowid, " ".join(_words(body.get("Results")))),
        )
        for found in findings(body.get("Results")):
            row = db.execute(
                "INSERT INTO findings (document, asset_id, operator, workflow_id, kind, label, start_ms,"
                " stop_ms, confidence, box) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    cursor.lastrowid,
                    body.get("AssetId"),
                    body.get("Operator"),
                    body.get("WorkflowId"),
                    found.kind,
                    found.label,
                    found.start_ms,
                    found.stop_ms,
                    found.confidence,
                    json.dumps(found.box) if found.box else None,
                ),
            )
            db.execute("INSERT INTO findings_text (rowid, label) VALUES (?, ?)", (row.lastrowid, found.label))

    def delete_matching(self, index_pattern: str, term: dict[str, str]) -> int:
        unknown = set(term) - set(_TERM_COLUMNS)
        if unknown:
            raise ValueError(f"cannot match on {', '.join(sorted(unknown))}")
        where = ["index_name GLOB ?", *(f"{_TERM_COLUMNS[name]} = ?" for name in term)]
        with self._connection() as db:
            return self._delete_rows(db, " AND ".join(where), [index_pattern, *term.values()])

    def search(
        self, query: str, *, operator: str | None = None, asset_id: str | None = None, limit: int = 20
    ) -> list[SearchHit]:
        """Documents matching what a user typed (`api.search.query`), best first.

        Raises `QuerySyntaxError` for a query that cannot be read, `SearchIndexError` for an index
        that cannot be (locked, damaged); never a raw `sqlite3` error.
        """
        parsed = parse(query)
        filters = list(parsed.filters)
        if operator is not None:
            filters.append(Filter(("operator",), operator))
        if asset_id is not None:
            filters.append(Filter(("asset_id",), asset_id))
        where: list[str] = []
        arguments: list[Any] = []
        if parsed.match is not None:
            where.append("documents_text MATCH ?")
            arguments.append(parsed.match)
        for condition in filters:
            where.append("(" + " OR ".join(f"d.{column} = ?" for column in condition.columns) + ")")
            arguments.extend(condition.value for _ in condition.columns)
        # Ranked by relevance when there are words; newest first when there are only filters.
        order = "rank" if parsed.match is not None else "d.timestamp DESC"
        snippet = (
            "snippet(documents_text, 0, '[', ']', ' ... ', 12)"
            if parsed.match is not None
            else f"substr(documents_text.content, 1, {_PLAIN_SNIPPET_CHARS})"
        )
        try:
            with self._connection() as db:
                rows = db.execute(
                    f"SELECT d.index_name, d.doc_id, d.asset_id, d.operator, d.page, {snippet}"
                    " FROM documents_text JOIN documents d ON d.rowid = documents_text.rowid"
                    f" WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?",
                    [*arguments, limit],
                ).fetchall()
        except sqlite3.OperationalError as exc:
            if "fts5" in str(exc):  # a query the parser let through, still not FTS5: say how to write it
                raise QuerySyntaxError("the query cannot be read") from exc
            raise SearchIndexError(
                f"cannot read the search index {self.path}: it is locked or damaged"
            ) from exc
        except sqlite3.Error as exc:
            raise SearchIndexError(
                f"cannot read the search index {self.path}: it is locked or damaged"
            ) from exc
        return [SearchHit(*row) for row in rows]

    @staticmethod
    def _delete_rows(db: sqlite3.Connection, where: str, arguments: list[Any]) -> int:
        rowids = [row[0] for row in db.execute(f"SELECT rowid FROM documents WHERE {where}", arguments)]
        for rowid in rowids:
            db.execute(
                "DELETE FROM findings_text WHERE rowid IN (SELECT id FROM findings WHERE document = ?)",
                (rowid,),
            )
            db.execute("DELETE FROM findings WHERE document = ?", (rowid,))
        db.executemany("DELETE FROM documents_text WHERE rowid = ?", [(rowid,) for rowid in rowids])
        db.executemany("DELETE FROM documents WHERE rowid = ?", [(rowid,) for rowid in rowids])
        return len(rowids)


def _words(value: Any) -> Iterator[str]:
    """The keys and scalar values of a JSON document, for the full-text column."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _words(item)
    elif isinstance(value, list):
        for item in value:
            yield from _words(item)
    elif value is not None:
        yield str(value)
