"""Bad request bodies built from a valid one, for tests that send an API many mistakes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

# Wrong types and empty or odd values, for any field.
BAD_VALUES: tuple[Any, ...] = (
    None,
    0,
    -1,
    1.5,
    True,
    "",
    " ",
    [],
    ["a", "a"],
    {},
    {"nested": {"deeper": [1, None]}},
)
# A JSON document no route accepts as a body of its own, and broken JSON.
RAW_BODIES = ("{not json", "[1, 2]", "null", "")


def bad_bodies(valid: dict[str, Any], values: Sequence[Any]) -> Iterator[dict[str, Any]]:
    """`valid` with each field missing, then set to each of `values`, then with an unknown field."""
    for field in valid:
        yield {key: value for key, value in valid.items() if key != field}
        for value in values:
            yield {**valid, field: value}
    yield {**valid, "Surprise": 1}
