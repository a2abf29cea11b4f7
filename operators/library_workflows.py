"""The stage and workflow the operator library ships with, ready to run once it is registered.

`make run` composes them through the workflow API as a user would; a deployed stack registers them
at deploy time, so `MediaAnalysisWorkflow` can be started right after `cdk deploy`.
"""

from __future__ import annotations

from typing import Any

STAGE = "MediaAnalysis"
WORKFLOW = "MediaAnalysisWorkflow"
OPERATORS = ("Mediainfo", "Thumbnail")


def library_stages() -> list[dict[str, Any]]:
    """`POST /workflow/stage` bodies."""
    return [{"Name": STAGE, "Operations": list(OPERATORS)}]


def library_workflows() -> list[dict[str, Any]]:
    """`POST /workflow` bodies."""
    return [{"Name": WORKFLOW, "StartAt": STAGE, "Stages": {STAGE: {"End": True}}}]
