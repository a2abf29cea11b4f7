"""Payload templates: nested dicts/lists whose dynamic leaves are ``JsonPath`` / ``Intrinsic``.

``render_template`` turns ``{"AssetId": JsonPath("$.AssetId")}`` into ``{"AssetId.$": "$.AssetId"}``
at any depth and reports every problem at once, each with where it is (``Parameters.Media[0]``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TypeAlias

from api.workflow.asl.errors import AslValidationError
from api.workflow.asl.paths import Intrinsic, JsonPath

JsonValue: TypeAlias = bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None
JsonObject: TypeAlias = dict[str, JsonValue]
# What callers may write: JSON plus dynamic leaves. Mapping/Sequence so a dict[str, JsonPath] fits.
Template: TypeAlias = (
    bool | int | float | str | JsonPath | Intrinsic | Sequence["Template"] | Mapping[str, "Template"] | None
)
TemplateObject: TypeAlias = Mapping[str, Template]


def is_int_at_least(value: object, minimum: int) -> bool:
    """An integer (bool excluded, though Python counts it as one) no smaller than ``minimum``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def render_template(template: TemplateObject, *, what: str) -> JsonObject:
    """Render a payload template (a JSON object whose leaves may be dynamic) to ASL."""
    problems: list[str] = []
    if not isinstance(template, Mapping):
        raise AslValidationError([f"{what} must be an object, got {type(template).__name__}"])
    rendered = _render_object(template, where=what, dynamic=True, problems=problems)
    if problems:
        raise AslValidationError(problems)
    return rendered


def render_literal(value: Template, *, what: str) -> JsonValue:
    """Render static JSON (a Pass state's Result); dynamic values are a mistake here."""
    problems: list[str] = []
    rendered = _render(value, where=what, dynamic=False, problems=problems)
    if problems:
        raise AslValidationError(problems)
    return rendered


def _render_object(
    template: Mapping[str, Template], *, where: str, dynamic: bool, problems: list[str]
) -> JsonObject:
    out: JsonObject = {}
    for key, value in template.items():
        here = f"{where}.{key}"
        if not isinstance(key, str):
            problems.append(f"{where} has a non-string key {key!r}")
            continue
        if dynamic and key.endswith(".$"):
            # Hand-written ".$" keys bypass path checking; the typed value is the one way in.
            problems.append(f"{here}: write {key[:-2]!r}: JsonPath(...) instead of a '.$' key")
            continue
        if isinstance(value, JsonPath | Intrinsic):
            if dynamic:
                out[f"{key}.$"] = str(value)
            else:
                problems.append(f"{here} is static JSON and cannot hold {value!r}")
            continue
        out[key] = _render(value, where=here, dynamic=dynamic, problems=problems)
    return out


def _render(value: Template, *, where: str, dynamic: bool, problems: list[str]) -> JsonValue:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            problems.append(f"{where} is {value!r}, which is not JSON")
        return value
    if isinstance(value, JsonPath | Intrinsic):
        if dynamic:
            # ASL marks dynamic values on the key; a bare list element or a top-level value has none.
            problems.append(f"{where}: {value!r} needs a key; put it in an object or use States.Array")
        else:
            problems.append(f"{where} is static JSON and cannot hold {value!r}")
        return None
    if isinstance(value, bytes | bytearray):
        problems.append(f"{where} holds bytes, which are not JSON; decode them first")
        return None
    if isinstance(value, Mapping):
        return _render_object(value, where=where, dynamic=dynamic, problems=problems)
    if isinstance(value, Sequence):
        return [
            _render(item, where=f"{where}[{index}]", dynamic=dynamic, problems=problems)
            for index, item in enumerate(value)
        ]
    problems.append(f"{where} has a {type(value).__name__}, which is not JSON")
    return None
