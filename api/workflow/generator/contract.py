"""The data contract between generated state machines and the platform's step Lambdas.

Execution input (what the scheduler starts a machine with; the workflow state between stages)::

    {"ExecutionId", "AssetId", "Workflow",
     "Input": {"Media": {...}, "MetaData": {...}, "MediaSource"?: {...}},   # see steps.prepare_media
     "Configuration": {stage: {operator: {...}}},      # defaults merged with the request's override
     "Settings": {"WaitBaseSeconds": 1, "WaitMaxSeconds": 60}}   # optional; the local runtime shortens

Before each stage, the step that precedes it (prepare-media, or the previous stage's complete-stage)
adds ``Plan``: one entry per operator of the stage, ``Branch0``, ``Branch1``, ... in branch order,
each ``{"Configuration", "Status" (Started or Skipped), "MetaData" ({"SkipReason"} when skipped),
"Poll"}``; each branch's first state builds the operator's MIE event from its entry (the MIE
filter's work, without a Lambda). Keys, not a list: the interpreters differ on ``$.Plan[0].x``.

Inside a stage the Parallel writes its branch outputs to ``Outputs`` (removed again by the
complete-stage step) and a Catch writes ``{"Error", "Cause"}`` to ``Failure``.

Inside an operator branch the state is ``{"Event": operator event/output, "Poll": {...}}``: the
operator's output is kept under ``Event`` because MIE operators return only their own fields, and
the poll counters must survive the call.
"""

from __future__ import annotations

from typing import Final

# Workflow state
EXECUTION_ID: Final = "ExecutionId"
ASSET_ID: Final = "AssetId"
WORKFLOW: Final = "Workflow"
INPUT: Final = "Input"
CONFIGURATION: Final = "Configuration"
SETTINGS: Final = "Settings"
OUTPUTS: Final = "Outputs"
MEDIA_SOURCE: Final = "MediaSource"  # Input: uploads the first step copies into the asset
FAILURE: Final = "Failure"
PLAN: Final = "Plan"  # the coming stage's operator plans: plan_key(i) -> entry of branch i

# Operator branch state
EVENT: Final = "Event"
POLL: Final = "Poll"
WAIT_SECONDS: Final = "WaitSeconds"
MAX_WAIT_SECONDS: Final = "MaxWaitSeconds"
RAMP_LEFT: Final = "RampLeft"  # doublings left before the wait reaches its cap
ROUNDS_LEFT: Final = "RoundsLeft"  # monitor calls left before the operator times out
TIMEOUT_SECONDS: Final = "TimeoutSeconds"
TIMEOUT_MESSAGE: Final = "TimeoutMessage"
POLL_FIELDS: Final = (
    WAIT_SECONDS,
    MAX_WAIT_SECONDS,
    RAMP_LEFT,
    ROUNDS_LEFT,
    TIMEOUT_SECONDS,
    TIMEOUT_MESSAGE,
)

# Settings (execution input) and operator configuration keys
WAIT_BASE_SETTING: Final = "WaitBaseSeconds"
WAIT_MAX_SETTING: Final = "WaitMaxSeconds"
OPERATOR_TIMEOUT_KEY: Final = "TimeoutSeconds"

DEFAULT_WAIT_BASE_SECONDS: Final = 1
DEFAULT_WAIT_MAX_SECONDS: Final = 60
DEFAULT_OPERATOR_TIMEOUT_SECONDS: Final = 3600

# Payload keys of the step Lambdas
STEP_OPERATION: Final = "Operation"  # {"Name", "Stage", "Type"}
STEP_STATE: Final = "State"
STEP_STAGE: Final = "Stage"
STEP_OPERATIONS: Final = "Operations"  # the stage's operators, in branch order
STEP_PLAN_STAGE: Final = "PlanStage"  # {"Stage", "Operations"} to plan; absent after the last stage

# Error name of the Fail state that ends a failed workflow, and of an operator that timed out
WORKFLOW_FAILED_ERROR: Final = "WorkflowFailed"
OPERATOR_TIMED_OUT_ERROR: Final = "OperatorTimedOut"


def plan_key(index: int) -> str:
    """The key of the `index`-th branch's entry in `Plan`."""
    return f"Branch{index}"
