"""Small operators the control-plane tests run as Lambdas (real worker processes, MIE event shape)."""

from __future__ import annotations

import json
import os
import time
from typing import Any

from medialens_helper import MediaInsightsOperationHelper, OutputHelper


def ok(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Completes; reports the configuration and upstream metadata it saw."""
    helper = MediaInsightsOperationHelper(event)
    helper.add_workflow_metadata_json(
        {
            f"{helper.name}Config": json.dumps(helper.configuration, sort_keys=True),
            f"{helper.name}SawUpstream": json.dumps(sorted(helper.input.get("MetaData", {}))),
        }
    )
    helper.add_media_object("Text", "results-bucket", f"{helper.name}/out.txt")
    helper.update_workflow_status("Complete")
    return helper.return_output_object()


def echo_event(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Completes; reports the whole MIE event it was given."""
    return {"Status": "Complete", "MetaData": {"SeenEvent": json.dumps(event, sort_keys=True)}, "Media": {}}


def mie_style(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Returns only MIE's OutputHelper fields."""
    output = OutputHelper(event["Name"])
    output.add_workflow_metadata(MieStyle="yes")
    output.update_workflow_status("Complete")
    return output.return_output_object()


def returns_error(event: dict[str, Any], context: Any) -> dict[str, Any]:
    helper = MediaInsightsOperationHelper(event)
    helper.update_workflow_status("Error")
    helper.add_workflow_metadata_json({f"{helper.name}Error": "the input was unusable"})
    return helper.return_output_object()


def raises(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise RuntimeError("exploded on purpose")


def mas_error(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise MediaInsightsOperationHelper(event).fail("the engine rejected the media")


def async_start(event: dict[str, Any], context: Any) -> dict[str, Any]:
    helper = MediaInsightsOperationHelper(event)
    helper.add_workflow_metadata(Polls="0")
    helper.update_workflow_status("Executing")
    return helper.return_output_object()


def async_monitor(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Executing for one poll, Complete on the second."""
    helper = MediaInsightsOperationHelper(event)
    polls = int(helper.metadata.get("Polls", "0")) + 1
    helper.add_workflow_metadata(Polls=str(polls))
    helper.update_workflow_status("Complete" if polls >= 2 else "Executing")
    return helper.return_output_object()


def async_fail_monitor(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise MediaInsightsOperationHelper(event).fail("the job failed remotely")


def async_hang_monitor(event: dict[str, Any], context: Any) -> dict[str, Any]:
    helper = MediaInsightsOperationHelper(event)
    helper.update_workflow_status("Executing")
    return helper.return_output_object()


def crashes(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Kills its own process, as a segfaulting native library would."""
    os._exit(7)


def overruns(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Runs past its function's timeout."""
    time.sleep(30)
    return {}
