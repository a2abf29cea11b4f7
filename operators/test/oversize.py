"""TestOversize: an output past Step Functions' 256 KiB state payload limit."""

from __future__ import annotations

from typing import Any

from medialens_helper import MediaInsightsOperationHelper

STATE_PAYLOAD_LIMIT = 256 * 1024
DEFAULT_SIZE_KIB = 300
MAX_SIZE_KIB = 4096  # well under Lambda's 6 MB response limit
PADDING_KEY = "Padding"


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Completes with `SizeKiB` (default 300) KiB of metadata, which no state can carry."""
    helper = MediaInsightsOperationHelper(event)
    size_kib = helper.configuration.get("SizeKiB", DEFAULT_SIZE_KIB)
    if isinstance(size_kib, bool) or not isinstance(size_kib, int) or not 1 <= size_kib <= MAX_SIZE_KIB:
        raise helper.fail(f"SizeKiB must be an integer from 1 to {MAX_SIZE_KIB}")
    helper.add_workflow_metadata(**{PADDING_KEY: "x" * (size_kib * 1024)})
    helper.update_workflow_status("Complete")
    return helper.return_output_object()
