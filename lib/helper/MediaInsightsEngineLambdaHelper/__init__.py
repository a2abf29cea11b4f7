"""MIE's helper package name, so operators written for MIE import unchanged.

    from MediaInsightsEngineLambdaHelper import OutputHelper, DataPlane, MediaInsightsOperationHelper

Everything here is `medialens_helper`; new code should import that.
"""

from __future__ import annotations

from medialens_helper import (
    DataPlane,
    MasExecutionError,
    MediaInsightsOperationHelper,
    OutputHelper,
    Status,
)

__all__ = ["DataPlane", "MasExecutionError", "MediaInsightsOperationHelper", "OutputHelper", "Status"]
