"""A stream or batch engine's results merged: spans make a time-based document, none a whole-media one."""

from __future__ import annotations

from typing import Any

from api.engines.plan import Chunk
from operators.engine.tasks import time_based
from operators.engine.vtn import merge, validate

KEYWORDS = {
    "validationContracts": ["keyword"],
    "object": [{"type": "keyword", "label": "public library", "confidence": 0.9}],
}


def _result(index: int, start: int, end: int, output: dict[str, Any]) -> tuple[Chunk, dict[str, Any]]:
    return Chunk(index, f"results/{index}.json", "application/json", start, end), output


def test_a_batch_result_without_a_span_keeps_its_whole_media_objects() -> None:
    results = [_result(0, 0, 0, KEYWORDS)]

    document = merge(results, time_based=time_based(results))

    assert not time_based(results)
    assert document["object"] == KEYWORDS["object"] and "series" not in document
    assert validate(document, ["keyword"]) == []


def test_results_with_spans_are_time_based() -> None:
    words = {"series": [{"startTimeMs": 0, "stopTimeMs": 400, "words": [{"word": "hello"}]}]}
    results = [_result(0, 0, 3000, words), _result(1, 3000, 3000, words)]

    assert time_based(results)
