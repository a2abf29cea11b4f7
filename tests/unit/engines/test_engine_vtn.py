"""Merging chunk outputs into one VTN document, and validating it with Veritone's schemas."""

from __future__ import annotations

from api.engines.plan import Chunk
from operators.engine.vtn import contracts_for, merge, validate


def chunk(index: int, start: int, end: int) -> Chunk:
    return Chunk(index, f"k/{index}.jpg", "image/jpeg", start, end)


def test_series_are_merged_in_time_order_with_relative_times_made_absolute() -> None:
    later = chunk(1, 1000, 2000)
    first = chunk(0, 0, 1000)
    document = merge(
        [
            (later, {"series": [{"startTimeMs": 100, "stopTimeMs": 400, "words": [{"word": "b"}]}]}),
            (first, {"series": [{"startTimeMs": 200, "stopTimeMs": 300, "words": [{"word": "a"}]}]}),
        ],
        time_based=True,
    )
    assert [(s["startTimeMs"], s["stopTimeMs"]) for s in document["series"]] == [(200, 300), (1100, 1400)]


def test_absolute_times_are_kept_and_frame_objects_become_series_items() -> None:
    second = chunk(1, 500, 1000)
    document = merge(
        [
            (
                second,
                {"series": [{"startTimeMs": 600, "stopTimeMs": 700}], "validationContracts": ["object"]},
            ),
            (chunk(0, 0, 500), {"object": [{"type": "object", "label": "cat"}]}),
        ],
        time_based=True,
    )
    assert document["series"] == [
        {"startTimeMs": 0, "stopTimeMs": 500, "object": {"type": "object", "label": "cat"}},
        {"startTimeMs": 600, "stopTimeMs": 700},
    ]
    assert document["validationContracts"] == ["object"]


def test_a_whole_file_keeps_its_objects() -> None:
    document = merge([(chunk(0, 0, 0), {"object": [{"type": "text", "text": "hi"}]})], time_based=False)
    assert document == {"object": [{"type": "text", "text": "hi"}]}


def test_valid_documents_have_no_problems() -> None:
    document = {
        "validationContracts": ["object"],
        "series": [{"startTimeMs": 0, "stopTimeMs": 500, "object": {"type": "object", "label": "cat"}}],
    }
    assert validate(document) == []


def test_problems_name_the_json_path() -> None:
    document = {"series": [{"startTimeMs": 0, "stopTimeMs": 5, "found": "x"}]}
    problems = validate(document)
    assert problems and problems[0].startswith("$.series[0]: Additional properties are not allowed")


def test_a_contract_checks_what_it_requires() -> None:
    problems = validate({"series": [{"startTimeMs": 0, "stopTimeMs": 5}]}, ["transcript"])
    assert any("(transcript)" in problem for problem in problems)


def test_two_alternatives_need_exactly_one_best_path() -> None:
    words = [
        {"word": "a", "confidence": 0.5, "utteranceLength": 1},
        {"word": "b", "confidence": 0.4, "utteranceLength": 1},
    ]
    problems = validate({"series": [{"startTimeMs": 0, "stopTimeMs": 5, "words": words}]})
    assert "$.series[0].words: needs exactly one bestPath: true, has 0" in problems


def test_an_output_that_found_nothing_is_held_to_aion_alone() -> None:
    nothing = {"sourceEngineName": "text"}
    assert contracts_for(nothing, ["text"]) == []
    assert validate(nothing, contracts_for(nothing, ["text"])) == []
    assert validate({**nothing, "validationContracts": ["text"]}, ["text"]) == []  # declared, found nothing
    found = {"object": [{"type": "text", "text": "HELLO"}]}
    assert contracts_for(found, ["text"]) == ["text"]
