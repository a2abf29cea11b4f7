"""Error messages and JSON bodies that survive the MIE guide's `awscurl ... | cut -f 2 -d "'" | jq`.

The guide (seed 004, step 6) pipes every answer through `cut -f 2 -d "'"`, written when awscurl
printed bodies as Python bytes literals (`b'{...}'`). Today's awscurl prints the body itself, and
`cut` passes a line with no apostrophe through whole. So both APIs keep apostrophes out of every
body: their own messages quote with double quotes, and `dumps` writes any apostrophe that user data
brings (a key, a description) as the JSON escape `\\u0027`, which every JSON parser reads back.

A 400 about a value quotes the value received (`quoted`), so a shell variable that was not
expanded (`"Name":"$WORKFLOW_NAME"` inside single quotes) shows up as such in the answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

MAX_QUOTED_CHARS = 80
# Pydantic error types whose `input` says nothing useful (the field is absent, or it is the key).
_NO_INPUT_TYPES = frozenset({"missing", "extra_forbidden", "json_invalid", "model_type"})
_REQUEST_PARTS = ("body", "query", "path", "header")


def dumps(body: Any) -> str:
    """Compact JSON with every `'` written as `\\u0027` (only possible inside strings, so lossless)."""
    return json.dumps(body, separators=(",", ":"), default=str).replace("'", "\\u0027")


def quoted(value: Any) -> str:
    """`value` as JSON for a message (strings in double quotes), cut to `MAX_QUOTED_CHARS`."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > MAX_QUOTED_CHARS:
        text = text[: MAX_QUOTED_CHARS - 3] + "..."
    return text


def field_message(error: Mapping[str, Any], patterns: Mapping[str, str] | None = None) -> str:
    """One pydantic error as `Field.Path: what is wrong, got <value>`, with no apostrophe.

    `patterns` maps a regular expression the models use to words a user reads instead of it.
    """
    kind = error.get("type")
    location = [str(part) for part in error.get("loc", ())]
    if location and location[0] in _REQUEST_PARTS:
        location = location[1:]
    where = ".".join(location)
    if kind == "json_invalid":
        return "the request body is not valid JSON"
    if kind == "missing" and not location:
        return "a JSON request body is required"
    if kind == "missing":
        return f"{where}: required field missing"
    if kind == "extra_forbidden":
        return f"{where}: unknown field"
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ").replace("'", '"')
    pattern = str((error.get("ctx") or {}).get("pattern"))
    if kind == "string_pattern_mismatch" and patterns and pattern in patterns:
        message = f"must be {patterns[pattern]}"
    if kind not in _NO_INPUT_TYPES and location and "input" in error:
        message = f"{message}, got {quoted(error['input'])}"
    return f"{where}: {message}" if where else message


def validation_message(errors: Iterable[Mapping[str, Any]], patterns: Mapping[str, str] | None = None) -> str:
    """Every error of one request on one line, each field once."""
    return "; ".join(dict.fromkeys(field_message(error, patterns) for error in errors))
