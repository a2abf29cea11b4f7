"""The operator-failed step: any way an operator failed becomes its output with `Status: Error`.

Reached from a Catch (`Failure` = `{"Error", "Cause"}`), from the timeout state, or when the
operator returned `Status: Error` itself. The stage's complete step reads `Error` from the output.
"""

from __future__ import annotations

from typing import Any

from medialens_helper.status import Status

from api.workflow.generator import contract as c
from api.workflow.steps.failure_reason import operator_message, reason_from_failure


def operator_failed(operation: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    name = operation["Name"]
    event = state.get(c.EVENT)
    event = event if isinstance(event, dict) else {}
    failure = state.get(c.FAILURE)
    carried: dict[str, Any] | None = None
    if failure is not None:
        reason, carried = reason_from_failure(failure, name)
    else:
        reason = operator_message(event, name) or "the operator returned status Error"
    source = carried or event
    metadata = source.get("MetaData") if isinstance(source.get("MetaData"), dict) else {}
    media = source.get("Media") if isinstance(source.get("Media"), dict) else {}
    return {
        "Name": name,
        "Status": Status.Error.value,
        "MetaData": metadata,
        "Media": media,
        "Error": reason,
    }
