"""VTN-standard (AION) documents: merging chunk results, and validation against Veritone's schemas.

The schemas are the v1 set vendored in `api/engines/vtn_schemas/` (Apache-2.0, see its NOTICE.md):
`aion/aion.json` for the structure, one schema per capability contract (`object`, `transcript`,
...). Python's jsonschema ignores the ajv-only keyword `requireBestPath`, so it is checked here:
a `words` list of two or more alternatives needs exactly one `bestPath: true`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource

from api.engines.plan import Chunk

SCHEMA_ROOT = Path(__file__).resolve().parents[2] / "api" / "engines" / "vtn_schemas" / "v1"
MAX_REPORTED_ERRORS = 20


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_ROOT.rglob("*.json")):
        document = json.loads(path.read_text())
        resources.append((document["$id"], Resource.from_contents(document)))
    return Registry().with_resources(resources)


@cache
def _validator(name: str) -> Draft7Validator:
    schema = json.loads((SCHEMA_ROOT / name / f"{name}.json").read_text())
    return Draft7Validator(schema, registry=_registry(), format_checker=FormatChecker())


def contracts_for(document: dict[str, Any], contracts: Iterable[str]) -> list[str]:
    """The contracts an output must meet: the block's, unless it found nothing.

    A contract describes findings (`text` requires text objects, `keyword` a root `object`...):
    a document with neither `series` nor `object` items makes no claim to check, and is held to
    the AION structure alone, so an engine that reads no text in a frame without any is not wrong.
    """
    if not document.get("series") and not document.get("object"):
        return []
    return list(contracts)


def validate(document: dict[str, Any], contracts: Iterable[str] = ()) -> list[str]:
    """Every problem as `"<JSON path>: <message>"` (at most 20); empty when the document is valid.

    Checked against AION and each contract named by `contracts` or the document's own
    `validationContracts`, unless it found nothing (`contracts_for`): then against AION alone.
    """
    declared = document.get("validationContracts")
    claimed = {*contracts, *(declared if isinstance(declared, list) else [])}
    names = ["aion", *sorted(contracts_for(document, claimed), key=str)]
    problems: list[str] = []
    for name in names:
        if not isinstance(name, str) or not (SCHEMA_ROOT / name / f"{name}.json").is_file():
            problems.append(f"$.validationContracts: unknown contract {name!r}")
            continue
        for error in _validator(name).iter_errors(document):
            problems.append(f"{error.json_path}: {error.message} ({name})")
            if len(problems) >= MAX_REPORTED_ERRORS:
                return problems
    problems.extend(_best_path_problems(document))
    return problems[:MAX_REPORTED_ERRORS]


def _best_path_problems(document: dict[str, Any]) -> Iterator[str]:
    series = document.get("series")
    if not isinstance(series, list):
        return
    for index, item in enumerate(series):
        words = item.get("words") if isinstance(item, dict) else None
        if isinstance(words, list) and len(words) >= 2:
            best = sum(1 for word in words if isinstance(word, dict) and word.get("bestPath") is True)
            if best != 1:
                yield f"$.series[{index}].words: needs exactly one bestPath: true, has {best}"


def merge(results: Iterable[tuple[Chunk, dict[str, Any]]], *, time_based: bool) -> dict[str, Any]:
    """One document from every chunk's output, `series` sorted by `startTimeMs`, offsets absolute.

    Times an engine gave relative to its chunk (all within the chunk's length but not within its
    absolute span) are shifted by the chunk's start. In time-based media, a chunk's non-time-based
    `object` entries become series items spanning the chunk, so each keeps its time.
    """
    merged: dict[str, Any] = {}
    series: list[dict[str, Any]] = []
    objects: list[Any] = []
    contracts: list[str] = []
    for chunk, output in sorted(results, key=lambda pair: (pair[0].StartMs, pair[0].Index)):
        series.extend(_absolute_series(chunk, output.get("series")))
        chunk_objects = output.get("object")
        if isinstance(chunk_objects, list):
            if time_based:
                series.extend(
                    {"startTimeMs": chunk.StartMs, "stopTimeMs": chunk.EndMs, "object": item}
                    for item in chunk_objects
                )
            else:
                objects.extend(chunk_objects)
        for contract in output.get("validationContracts") or []:
            if contract not in contracts:
                contracts.append(contract)
        for key, value in output.items():
            if key not in ("series", "object", "validationContracts") and key not in merged:
                merged[key] = value  # first chunk's value wins (language, summary, ...)
    series.sort(key=lambda item: (_int(item.get("startTimeMs")), _int(item.get("stopTimeMs"))))
    if contracts:
        merged["validationContracts"] = contracts
    if series:
        merged["series"] = series
    if objects:
        merged["object"] = objects
    return merged


def _absolute_series(chunk: Chunk, items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        return []
    entries = [dict(item) for item in items if isinstance(item, dict)]
    length = chunk.EndMs - chunk.StartMs
    timed = [item for item in entries if "startTimeMs" in item and "stopTimeMs" in item]
    absolute = all(
        chunk.StartMs <= _int(i["startTimeMs"]) <= _int(i["stopTimeMs"]) <= chunk.EndMs for i in timed
    )
    relative = all(0 <= _int(i["startTimeMs"]) <= _int(i["stopTimeMs"]) <= length for i in timed)
    shift = chunk.StartMs if (timed and relative and not absolute) else 0
    for item in entries:
        if "startTimeMs" not in item or "stopTimeMs" not in item:
            item["startTimeMs"], item["stopTimeMs"] = chunk.StartMs, chunk.EndMs
        elif shift:
            item["startTimeMs"] = _int(item["startTimeMs"]) + shift
            item["stopTimeMs"] = _int(item["stopTimeMs"]) + shift
    return entries


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def transcript_text(document: dict[str, Any]) -> str:
    """The words of a VTN transcript in time order, one line per series item ("" when none).

    Each item's word is the `bestPath` one where an engine gives alternatives (VTN's lattice),
    otherwise the first; fillers in angle or square brackets (`<sil>`, `[NOISE]`) are left out.
    """
    lines = []
    for item in document.get("series", []):
        words = item.get("words") if isinstance(item, dict) else None
        if not isinstance(words, list) or not words:
            continue
        best = [w for w in words if isinstance(w, dict) and w.get("bestPath")] or words[:1]
        spoken = (str(w.get("word", "")) for w in best if isinstance(w, dict))
        text = " ".join(word for word in spoken if not _filler(word))
        if text.strip():
            lines.append(text.strip())
    return "\n".join(lines)


def _filler(word: str) -> bool:
    return not word or word[0] in "<[" or word[-1] in ">]"
