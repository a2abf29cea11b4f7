"""What every operator output carries (Status, MetaData, Media) and the checks on writing it.

Shared by `OutputHelper` and `MediaInsightsOperationHelper`, which differ only in where their
name and ids come from and in the shape of the object they return.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import MasExecutionError
from .status import parse_status


def check_metadata(items: Mapping[str, Any]) -> dict[str, Any]:
    """`items` as a dict, or `TypeError` naming the first key Step Functions could not carry."""
    checked: dict[str, Any] = {}
    for key, value in items.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"metadata keys must be non-empty strings, got {key!r}")
        try:
            # Outputs travel as JSON through Step Functions: fail here, not in the Lambda runtime.
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"metadata {key!r} is not JSON-serialisable: {exc}") from exc
        checked[key] = value
    return checked


def media_locator(media_type: str, s3bucket: str, s3key: str) -> dict[str, str]:
    """The `{"S3Bucket", "S3Key"}` object for a media item, after checking its parts."""
    for label, value in (("media_type", media_type), ("s3bucket", s3bucket), ("s3key", s3key)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{label} must be a non-empty string, got {value!r}")
    return {"S3Bucket": s3bucket, "S3Key": s3key}


class OutputFields:
    """Status, metadata and media of an operator's output, with MIE's method names."""

    name: str
    status: str
    metadata: dict[str, Any]
    media: dict[str, Any]

    def _before_write(self) -> None:
        """Hook run before every change; `OutputHelper` uses it to start a fresh output."""

    def update_workflow_status(self, status: str) -> None:
        """Set the operator status (`Status` member or its string, e.g. "Complete")."""
        self._before_write()
        self.status = parse_status(status)

    def add_workflow_metadata(self, **kwargs: Any) -> None:
        """Add key/value pairs that downstream stages read from `Input.MetaData`."""
        self._before_write()
        self.metadata.update(check_metadata(kwargs))

    def add_workflow_metadata_json(self, metadata: Mapping[str, Any]) -> None:
        """Like `add_workflow_metadata`, for keys that are not Python identifiers."""
        if not isinstance(metadata, Mapping):
            raise TypeError(f"metadata must be a mapping, got {type(metadata).__name__}")
        self._before_write()
        self.metadata.update(check_metadata(metadata))

    def add_media_object(self, media_type: str, s3bucket: str, s3key: str) -> None:
        """Record a derived media object ("Video", "Audio", "Text"...) for downstream stages."""
        locator = media_locator(media_type, s3bucket, s3key)
        self._before_write()
        self.media[media_type] = locator

    def return_output_object(self) -> dict[str, Any]:
        raise NotImplementedError

    def fail(self, message: str, **metadata: Any) -> MasExecutionError:
        """Mark the operation failed and return the error to raise.

        The message is stored as metadata `<Name>Error`, where the workflow's failure handling and
        the execution record show it: `raise helper.fail("Transcribe job failed: ...")`.
        """
        self.update_workflow_status("Error")
        self.add_workflow_metadata_json({f"{self.name}Error": message, **metadata})
        return MasExecutionError(self.return_output_object())
