"""State names: short, stable, unique across the machine and at most 80 characters.

Definition names match ``[A-Za-z0-9_-]``, so ``.`` separates stage, operator and step without
ambiguity, and workflow-level states use spaces, which no definition name can contain.
"""

from __future__ import annotations

import hashlib

MAX_STATE_NAME = 80
_HASH_LENGTH = 8

PREPARE_MEDIA = "Prepare media"
COMPLETE_WORKFLOW = "Complete workflow"
WORKFLOW_SUCCEEDED = "Workflow succeeded"
FAIL_WORKFLOW = "Fail workflow"
WORKFLOW_FAILED = "Workflow failed"


def _fit(prefix: str, suffix: str) -> str:
    """``prefix.suffix``; a prefix too long is cut and made unique again by a hash of all of it."""
    name = f"{prefix}.{suffix}"
    if len(name) <= MAX_STATE_NAME:
        return name
    digest = hashlib.sha256(prefix.encode("utf-8")).hexdigest()[:_HASH_LENGTH]
    keep = MAX_STATE_NAME - len(suffix) - 1 - _HASH_LENGTH - 1
    return f"{prefix[:keep]}~{digest}.{suffix}"


def stage_state(stage: str, step: str) -> str:
    return _fit(stage, step)


def operator_state(stage: str, operator: str, step: str) -> str:
    return _fit(f"{stage}.{operator}", step)
