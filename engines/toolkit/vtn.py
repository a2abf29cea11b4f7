"""Small builders of VTN-standard (AION) pieces that several engines write.

Regions (seed 000, "Regions"): `boundingPoly` points are ratios of the image's width and height,
each in [0, 1], listed clockwise from the top-left corner (y grows downwards).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def _ratio(value: float, size: int) -> float:
    return round(min(1.0, max(0.0, float(value) / size)), 4) if size > 0 else 0.0


def polygon(points: Iterable[tuple[float, float]], width: int, height: int) -> list[dict[str, float]]:
    """Pixel points as a relative `boundingPoly` (clamped to the image)."""
    return [{"x": _ratio(x, width), "y": _ratio(y, height)} for x, y in points]


def box(
    left: float, top: float, box_width: float, box_height: float, width: int, height: int
) -> list[dict[str, float]]:
    """A pixel rectangle as a relative four-point `boundingPoly`, clockwise from top-left."""
    right, bottom = left + box_width, top + box_height
    return polygon([(left, top), (right, top), (right, bottom), (left, bottom)], width, height)


def confidence(value: float) -> float:
    """A VTN confidence: a number in [0, 1]."""
    return round(min(1.0, max(0.0, float(value))), 4)


def labelled_segment(start_ms: int, stop_ms: int, label: str, score: float | None = None) -> dict[str, Any]:
    """A series item marking `[start_ms, stop_ms]` with a label (an `object` of type "object")."""
    found: dict[str, Any] = {"type": "object", "label": label}
    if score is not None:
        found["confidence"] = confidence(score)
    return {"startTimeMs": max(0, start_ms), "stopTimeMs": max(start_ms, stop_ms, 0), "object": found}
