"""Validation against VTN v2 (AION 2.0), whose object contracts apply by `object.type` (a face
must have a `boundingPoly`). The v2 schemas are read from `../shared/vtn-schemas/v2` beside the
checkout (only v1 is vendored in api/engines/vtn_schemas)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource

V2_ROOT = Path(__file__).resolve().parents[3].parent / "shared" / "vtn-schemas" / "v2"


@cache
def _validator() -> Draft7Validator:
    paths = (V2_ROOT / "master.json", V2_ROOT / "contracts.json", V2_ROOT / "aion" / "schema.json")
    schemas = [json.loads(path.read_text()) for path in paths]
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas
    )
    return Draft7Validator(schemas[-1], registry=registry, format_checker=FormatChecker())


def v2_problems(document: dict[str, Any]) -> list[str]:
    return [f"{error.json_path}: {error.message}" for error in _validator().iter_errors(document)]
