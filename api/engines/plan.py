"""How a chunk engine's work is spread: chunks, batches (Map items), lanes (Map concurrency), threads.

Concurrency `C` (parallel `/process` calls at most) is split into `lanes` Map iterations running at
once, each posting with `threads` threads, `lanes * threads <= C`. Chunks are grouped into batches of
at most `MAX_CHUNKS_PER_BATCH`, so a 1-hour video at 1 frame per second (3,600 chunks) is 36 Map
items: the state and the history stay small however long the media is.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

THREADS_PER_CALL = 8  # parallel calls one Lambda invocation makes (I/O bound: threads are enough)
MAX_CHUNKS_PER_BATCH = 100


@dataclass(frozen=True)
class Chunk:
    """One piece of the input as sent to `/process`; offsets in ms from the start of the asset."""

    Index: int
    Key: str  # S3 key of the chunk's bytes in the run's bucket
    MimeType: str
    StartMs: int
    EndMs: int
    Width: int = 0
    Height: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Chunk:
        return cls(**data)


def lanes(concurrency: int) -> int:
    """Map iterations at once for `concurrency` parallel calls."""
    return max(1, math.ceil(concurrency / THREADS_PER_CALL))


def threads(concurrency: int) -> int:
    """Threads per Map iteration; `lanes(c) * threads(c) <= c`."""
    return max(1, concurrency // lanes(concurrency))


def batches(chunk_count: int, concurrency: int) -> list[dict[str, Any]]:
    """The Map's items: `{"Index", "First", "Count", "Next", "Done"}`, consecutive chunk ranges.

    At least one batch per lane (so every lane has work) and at most `MAX_CHUNKS_PER_BATCH` chunks
    in each; `Next` is the first chunk not yet sent, moved on by each call.
    """
    if chunk_count <= 0:
        return []
    wanted = max(lanes(concurrency), math.ceil(chunk_count / MAX_CHUNKS_PER_BATCH))
    count = min(chunk_count, wanted)
    size = math.ceil(chunk_count / count)
    items = []
    for index, first in enumerate(range(0, chunk_count, size)):
        length = min(size, chunk_count - first)
        items.append({"Index": index, "First": first, "Count": length, "Next": first, "Done": False})
    return items
