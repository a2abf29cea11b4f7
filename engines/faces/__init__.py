"""The faces sample engine (chunk mode): OpenCV's Haar frontal-face cascade; see `engine.py`."""

from engines.faces.engine import FaceEngine

__all__ = ["FaceEngine"]
