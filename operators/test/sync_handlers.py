"""Sync test operators: one that completes, one that reports Error, one that raises.

Each behaves the same on every call, so a test can predict its output from its event alone.
"""

from __future__ import annotations

import json
from typing import Any

from medialens_helper import MediaInsightsOperationHelper

# Where TestSyncOk points its derived media when the input names no bucket. The object is never
# written: the media entry only shows that outputs reach the next stage.
FALLBACK_BUCKET = "medialens-test-output"


def _upstream_bucket(helper: MediaInsightsOperationHelper) -> str:
    for locator in helper.input.get("Media", {}).values():
        if isinstance(locator, dict) and isinstance(locator.get("S3Bucket"), str) and locator["S3Bucket"]:
            return str(locator["S3Bucket"])
    return FALLBACK_BUCKET


def ok(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Completes, reporting the configuration it ran with and the upstream metadata keys it saw."""
    helper = MediaInsightsOperationHelper(event)
    upstream = helper.input.get("MetaData", {})
    helper.add_workflow_metadata_json(
        {
            f"{helper.name}Config": json.dumps(helper.configuration, sort_keys=True),
            f"{helper.name}SawUpstream": json.dumps(sorted(upstream)),
        }
    )
    key = f"private/assets/{helper.asset_id}/workflows/{helper.workflow_execution_id}/{helper.name}.txt"
    helper.add_media_object("Text", _upstream_bucket(helper), key)
    helper.update_workflow_status("Complete")
    return helper.return_output_object()


def returns_error(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Returns status Error (without raising) and the reason, from `Configuration.Reason` if set."""
    helper = MediaInsightsOperationHelper(event)
    reason = str(helper.configuration.get("Reason", "the input was unusable"))
    helper.add_workflow_metadata_json({f"{helper.name}Error": reason})
    helper.update_workflow_status("Error")
    return helper.return_output_object()


def raises(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Raises an ordinary exception, as an operator with a bug would."""
    raise RuntimeError(f"{event.get('Name', 'TestSyncRaise')} raised on purpose")
