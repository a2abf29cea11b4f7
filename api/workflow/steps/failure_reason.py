"""Readable reasons from what Step Functions reports: `{"Error", "Cause"}` with a JSON Cause."""

from __future__ import annotations

import json
from typing import Any

MAX_REASON = 2000


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def operator_message(output: Any, name: str | None) -> str | None:
    """The `<Name>Error` metadata an MIE operator (or `helper.fail`) recorded, if any."""
    if not isinstance(output, dict):
        return None
    metadata = output.get("MetaData")
    if isinstance(output.get("Error"), str):
        return str(output["Error"])
    if isinstance(metadata, dict):
        key = f"{name or output.get('Name')}Error"
        if metadata.get(key):
            return str(metadata[key])
    return None


def reason_from_failure(failure: Any, name: str | None = None) -> tuple[str, Any]:
    """(reason, operator output carried by the error if any) from a Catch's `{"Error", "Cause"}`."""
    if not isinstance(failure, dict):
        return "unknown failure", None
    error = str(failure.get("Error") or "Error")
    cause = failure.get("Cause")
    parsed = _json(cause)
    carried = None
    if isinstance(parsed, dict) and ("errorMessage" in parsed or "errorType" in parsed):
        error = str(parsed.get("errorType") or error)
        message = parsed.get("errorMessage")
        carried = _json(message)  # MasExecutionError(output) renders the output as JSON
        text = operator_message(carried, name) or (str(message) if message else "")
    else:
        text = str(cause) if cause else ""
    reason = f"{error}: {text}" if text else error
    return reason[:MAX_REASON], carried if isinstance(carried, dict) else None
