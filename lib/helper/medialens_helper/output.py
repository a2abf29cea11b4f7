"""`OutputHelper`: build the output object of an operator that does not parse its event."""

from __future__ import annotations

import copy
from typing import Any

from ._fields import OutputFields


class OutputHelper(OutputFields):
    """Collects an operator's status, metadata and media, returned as `{Name, Status, MetaData, Media}`.

    MIE operators often create it at module level, so one instance lives across warm invocations.
    MIE leaked metadata from one invocation into the next that way; here returning the output ends
    the invocation, and the next write starts from an empty output.
    """

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"operator name must be a non-empty string, got {name!r}")
        self.name = name
        self.base_s3_key = "private/media/"  # MIE attribute, kept for operators that read it
        self._reset()

    def _reset(self) -> None:
        self.status = ""  # MIE's initial value: no status reported yet
        self.metadata = {}
        self.media = {}
        self._returned = False

    def _before_write(self) -> None:
        if self._returned:
            self._reset()

    def return_output_object(self) -> dict[str, Any]:
        """The output object; later writes start a new one rather than change this one."""
        self._returned = True
        return {
            "Name": self.name,
            "Status": str(self.status),
            "MetaData": copy.deepcopy(self.metadata),
            "Media": copy.deepcopy(self.media),
        }

    # The names of MIE's first helper versions, still used by older operators.
    def update_status(self, status: str) -> None:
        """Alias of `update_workflow_status`."""
        self.update_workflow_status(status)

    def update_metadata(self, **kwargs: Any) -> None:
        """Alias of `add_workflow_metadata`."""
        self.add_workflow_metadata(**kwargs)

    def update_media(self, media_type: str, s3bucket: str, s3key: str) -> None:
        """Alias of `add_media_object`."""
        self.add_media_object(media_type, s3bucket, s3key)
