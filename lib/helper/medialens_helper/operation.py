"""`MediaInsightsOperationHelper`: read an operator's workflow event and build its output."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ._fields import OutputFields
from .errors import InvalidOperatorEventError

# (event key, expected type, type name for messages). MetaData and Media are optional, as in MIE.
_REQUIRED: tuple[tuple[str, type, str], ...] = (
    ("Name", str, "a string"),
    ("AssetId", str, "a string"),
    ("WorkflowExecutionId", str, "a string"),
    ("Input", dict, "an object"),
    ("Configuration", dict, "an object"),
    ("Status", str, "a string"),
)


def _field(event: Mapping[str, Any], key: str, kind: type, kind_name: str) -> Any:
    if key not in event:
        raise InvalidOperatorEventError(f"operator event is missing {key!r}")
    value = event[key]
    if not isinstance(value, kind):
        raise InvalidOperatorEventError(
            f"operator event field {key!r} must be {kind_name}, got {type(value).__name__}"
        )
    if kind is str and not value:
        raise InvalidOperatorEventError(f"operator event field {key!r} is empty")
    return value


def _optional_object(event: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = event.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidOperatorEventError(
            f"operator event field {key!r} must be an object, got {type(value).__name__}"
        )
    return copy.deepcopy(value)


class MediaInsightsOperationHelper(OutputFields):
    """The event of one operator run, and the output it will return to the workflow.

    Attributes mirror the event: `name`, `asset_id`, `workflow_execution_id`, `input`
    (`{"Media": ..., "MetaData": ...}` from upstream stages), `configuration`, `status`,
    `metadata` and `media` (this operator's own outputs so far; an async operator's monitor
    step receives what its start step returned).
    """

    def __init__(self, event: Mapping[str, Any]) -> None:
        if not isinstance(event, Mapping):
            raise InvalidOperatorEventError(f"operator event must be an object, got {type(event).__name__}")
        name, asset_id, workflow_id, input_, configuration, status = (
            _field(event, key, kind, kind_name) for key, kind, kind_name in _REQUIRED
        )
        self.name: str = name
        self.asset_id: str = asset_id
        self.workflow_execution_id: str = workflow_id
        # Copies, so changes made through the helper never reach the caller's event.
        self.input: dict[str, Any] = copy.deepcopy(input_)
        self.configuration: dict[str, Any] = copy.deepcopy(configuration)
        self.status = status
        self.metadata = _optional_object(event, "MetaData")
        self.media = _optional_object(event, "Media")
        self.base_s3_key = "private/media/"  # MIE attribute, kept for operators that read it

    def workflow_info(self) -> dict[str, str]:
        """`{"AssetId", "WorkflowExecutionId"}` of this run."""
        return {"AssetId": self.asset_id, "WorkflowExecutionId": self.workflow_execution_id}

    def return_output_object(self) -> dict[str, Any]:
        """The event with this operator's status, metadata and media: what the state machine receives."""
        return {
            "Name": self.name,
            "AssetId": self.asset_id,
            "WorkflowExecutionId": self.workflow_execution_id,
            "Input": copy.deepcopy(self.input),
            "Configuration": copy.deepcopy(self.configuration),
            "Status": str(self.status),
            "MetaData": copy.deepcopy(self.metadata),
            "Media": copy.deepcopy(self.media),
        }
