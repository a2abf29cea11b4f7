"""What the consumer needs of a search index: OpenSearch on AWS, SQLite FTS5 on one machine."""

from __future__ import annotations

from typing import Any, Protocol


class SearchIndex(Protocol):
    def put_document(self, index: str, document_id: str, body: dict[str, Any]) -> None:
        """Create or replace one document."""

    def delete_matching(self, index_pattern: str, term: dict[str, str]) -> int:
        """Delete the documents of indexes matching the glob `index_pattern` whose fields equal `term`."""
