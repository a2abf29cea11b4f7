"""The stages and workflows the operator library ships with, ready to run once they are registered.

`medialens up` registers them on the local platform and a deployed stack at deploy time, so a
newcomer's first command (list the workflows) finds them:

- `MediaAnalysisWorkflow`: MediaAnalysis (Mediainfo, Thumbnail);
- `VideoWorkflow`: MediaAnalysis → VideoAnalysis (faces, text, shots, black frames and silences,
  transcript) → TextAnalysis (key phrases, sentiment and language of the transcript);
- `ImageWorkflow`: ImageAnalysis (faces, text);
- `TextWorkflow`: TextAnalysis (key phrases, sentiment, language).

The engine operators exist only where their engines run (the local platform hosts the sample
engines). A stage keeps the operators that are registered and is left out when none is; a
workflow keeps the stages that remain and is left out when none does.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

STAGE = "MediaAnalysis"
WORKFLOW = "MediaAnalysisWorkflow"
VIDEO_WORKFLOW = "VideoWorkflow"
IMAGE_WORKFLOW = "ImageWorkflow"
TEXT_WORKFLOW = "TextWorkflow"
OPERATORS = ("Mediainfo", "Thumbnail")

STAGES: dict[str, tuple[str, ...]] = {
    STAGE: OPERATORS,
    "VideoAnalysis": (
        "FaceDetection",
        "TextDetection",
        "ShotDetection",
        "BlackFramesAndSilences",
        "Transcription",
    ),
    "TextAnalysis": ("KeywordDetection",),
    "ImageAnalysis": ("FaceDetectionImage", "TextDetectionImage"),
}
WORKFLOWS: dict[str, tuple[str, ...]] = {
    WORKFLOW: (STAGE,),
    VIDEO_WORKFLOW: (STAGE, "VideoAnalysis", "TextAnalysis"),
    IMAGE_WORKFLOW: ("ImageAnalysis",),
    TEXT_WORKFLOW: ("TextAnalysis",),
}


def library_stages(operators: Collection[str] = OPERATORS) -> list[dict[str, Any]]:
    """`POST /workflow/stage` bodies of the stages that have an operator among `operators`."""
    bodies = []
    for name, members in STAGES.items():
        present = [operator for operator in members if operator in operators]
        if present:
            bodies.append({"Name": name, "Operations": present})
    return bodies


def library_workflows(operators: Collection[str] = OPERATORS) -> list[dict[str, Any]]:
    """`POST /workflow` bodies of the workflows that keep a stage, given the registered `operators`."""
    stages = {body["Name"] for body in library_stages(operators)}
    bodies = []
    for name, members in WORKFLOWS.items():
        present = [stage for stage in members if stage in stages]
        if not present:
            continue
        steps = {
            stage: ({"Next": present[index + 1]} if index + 1 < len(present) else {"End": True})
            for index, stage in enumerate(present)
        }
        bodies.append({"Name": name, "StartAt": present[0], "Stages": steps})
    return bodies
