"""Thumbnail's Configuration keys, validated: a bad value is a failure with the reason, not a guess."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from operators.common.failures import OperatorError

DEFAULT_POSITION_SECONDS = 1.0
DEFAULT_WIDTH = 320
MIN_WIDTH = 16
MAX_WIDTH = 3840


@dataclass(frozen=True)
class ThumbnailOptions:
    position_seconds: float
    width: int


def read_options(configuration: Mapping[str, Any]) -> ThumbnailOptions:
    """`PositionSeconds` (number >= 0, default 1) and `Width` (integer pixels, default 320)."""
    position = configuration.get("PositionSeconds", DEFAULT_POSITION_SECONDS)
    if isinstance(position, bool) or not isinstance(position, int | float) or not math.isfinite(position):
        raise OperatorError(f"PositionSeconds must be a number of seconds, got {position!r}")
    if position < 0:
        raise OperatorError(f"PositionSeconds must not be negative, got {position!r}")
    width = configuration.get("Width", DEFAULT_WIDTH)
    if isinstance(width, bool) or not isinstance(width, int) or not MIN_WIDTH <= width <= MAX_WIDTH:
        raise OperatorError(f"Width must be an integer from {MIN_WIDTH} to {MAX_WIDTH} pixels, got {width!r}")
    return ThumbnailOptions(float(position), width)
