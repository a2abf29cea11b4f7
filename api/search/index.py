"""What the consumer needs of a search index: OpenSearch on AWS, SQLite FTS5 on one machine."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class IndexAction:
    """One document to create or replace; the source is serialised once, so its size is known."""

    index: str
    document_id: str
    source: bytes

    @classmethod
    def of(cls, index: str, document_id: str, document: dict[str, Any]) -> IndexAction:
        return cls(index, document_id, json.dumps(document, separators=(",", ":")).encode("utf-8"))


@dataclass(frozen=True)
class ItemResult:
    """What became of one action, as an HTTP status (OpenSearch's bulk answer gives one per item)."""

    status: int
    error: str | None = None

    @property
    def transient(self) -> bool:
        return self.status == 429 or self.status >= 500


class SearchIndex(Protocol):
    def bulk_index(self, actions: Sequence[IndexAction]) -> list[ItemResult]:
        """Create or replace the documents; one result per action, in the same order."""

    def delete_matching(self, index_pattern: str, term: dict[str, str]) -> int:
        """Delete the documents of indexes matching the glob `index_pattern` whose fields equal `term`."""
