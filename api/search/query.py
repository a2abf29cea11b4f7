"""What a user types to `medialens search`, turned into a valid SQLite FTS5 query and filters.

Users type words, "phrases", file names (`test_image.jpg`), paths (`upload/sample.mp4`), asset or
execution ids (`5e3ae683-8068-...`), `key:value`, and OR / AND / NOT / ( ) between them. FTS5's own
syntax refuses most of these (`.`, `/`, `-` and `:` are errors or operators there), so:

- every term is written as an FTS5 string: its words must appear in a row, which is what a file
  name or a path means (`test_image.jpg` finds "test", "image", "jpg" side by side); a trailing
  `*` keeps its meaning, a prefix;
- a UUID filters on the asset id or the execution (workflow) id of the result;
- `asset:ID`, `operator:NAME` and `workflow:ID` (also `AssetId:`, `Operator:`, `WorkflowId:`)
  filter on those fields; any other `key:value` is the phrase "key value", since the index holds
  every result key followed by its value;
- OR, AND and NOT (upper case) combine terms, `NOT` as FTS5 has it: `cats NOT dogs`.

Whatever cannot be read raises `QuerySyntaxError`, one line that says how to write the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HOW_TO = (
    'write words, "a phrase", a file name, a path, an asset id or key:value '
    "(asset:, operator:, workflow: filter), joined by OR, AND, NOT (as in: cat NOT dog) and ( )"
)
OPERATORS = frozenset({"OR", "AND", "NOT"})
# The columns a filter may name: what a user types (case-insensitive) -> the column(s).
FILTER_COLUMNS = {
    "asset": ("asset_id",),
    "assetid": ("asset_id",),
    "operator": ("operator",),
    "workflow": ("workflow_id",),
    "workflowid": ("workflow_id",),
}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# FTS5's unicode61 tokenizer keeps letters, digits and private-use characters; the rest separate.
_HAS_TOKEN = re.compile(r"[^\W_]", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class QuerySyntaxError(ValueError):
    """The query cannot be read; the message says what is wrong and how to write it."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem}; {HOW_TO}")


@dataclass(frozen=True)
class Filter:
    """`column IN columns` equal to `value`, for any of `columns` (an id may be either kind)."""

    columns: tuple[str, ...]
    value: str


@dataclass(frozen=True)
class SearchQuery:
    match: str | None  # the FTS5 expression, None when only filters were given
    filters: tuple[Filter, ...] = field(default=())


def parse(text: str) -> SearchQuery:
    tokens = _Tokens(text)
    filters = tokens.filters
    parser = _Parser(tokens.items)
    match = parser.expression() if tokens.items else None
    if parser.position < len(tokens.items):
        raise QuerySyntaxError(f"unexpected {tokens.items[parser.position]}")
    if match is None and not filters:
        raise QuerySyntaxError("nothing to search for")
    return SearchQuery(match, tuple(filters))


class _Tokens:
    """Terms (already FTS5 strings), operators and parentheses; filters set aside."""

    def __init__(self, text: str) -> None:
        self.items: list[str] = []
        self.filters: list[Filter] = []
        position = 0
        while position < len(text):
            char = text[position]
            if char.isspace():
                position += 1
            elif char in "()":
                self.items.append(char)
                position += 1
            elif char == '"':
                phrase, position = _quoted(text, position)
                prefix = text.startswith("*", position)
                self._term(phrase, prefix)
                position += prefix
            else:
                end = position
                while end < len(text) and not text[end].isspace() and text[end] not in '()"':
                    end += 1
                word = text[position:end]
                if word.endswith(":") and text.startswith('"', end):  # key:"a value"
                    value, end = _quoted(text, end)
                    word += value
                self._word(word)
                position = end

    def _word(self, word: str) -> None:
        key, colon, value = word.partition(":")
        if word in OPERATORS:
            self.items.append(word)
        elif colon and key.lower() in FILTER_COLUMNS and value:
            self.filters.append(Filter(FILTER_COLUMNS[key.lower()], value))
        elif _UUID.match(word):
            self.filters.append(Filter(("asset_id", "workflow_id"), word.lower()))
        else:
            prefix = word.endswith("*")
            self._term(word.rstrip("*"), prefix)

    def _term(self, words: str, prefix: bool) -> None:
        if not _HAS_TOKEN.search(words):
            return  # only punctuation: nothing FTS5 could match, so nothing to look for
        # Control characters separate words anyway; a NUL would end the string early for SQLite.
        text = _CONTROL.sub(" ", words).replace('"', '""')
        self.items.append(f'"{text}"' + ("*" if prefix else ""))


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The text between the quote at `start` and the next one; the index after the closing quote."""
    end = text.find('"', start + 1)
    if end < 0:
        raise QuerySyntaxError("a quote is not closed")
    return text[start + 1 : end], end + 1


class _Parser:
    """FTS5's grammar: OR binds loosest, then AND (also implied between terms), then NOT."""

    def __init__(self, items: list[str]) -> None:
        self.items = items
        self.position = 0

    def _peek(self) -> str | None:
        return self.items[self.position] if self.position < len(self.items) else None

    def _take(self) -> str:
        item = self.items[self.position]
        self.position += 1
        return item

    def expression(self) -> str:
        parts = [self._all()]
        while self._peek() == "OR":
            self._take()
            parts.append(self._all())
        return " OR ".join(parts)

    def _all(self) -> str:
        parts = [self._not()]
        while self._peek() not in (None, "OR", ")"):
            if self._peek() == "AND":
                self._take()
            parts.append(self._not())
        return " AND ".join(parts)

    def _not(self) -> str:
        result = self._operand()
        while self._peek() == "NOT":
            self._take()
            result = f"{result} NOT {self._operand()}"
        return result

    def _operand(self) -> str:
        item = self._peek()
        if item is None:
            raise QuerySyntaxError("the query ends where a word was expected")
        if item in OPERATORS:
            raise QuerySyntaxError(f"{item} needs a word on each side")
        if item == ")":
            raise QuerySyntaxError("a ) has no ( before it")
        self._take()
        if item != "(":
            return item
        inner = self.expression()
        if self._peek() != ")":
            raise QuerySyntaxError("a ( is not closed")
        self._take()
        return f"({inner})"
