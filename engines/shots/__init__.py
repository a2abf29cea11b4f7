"""The shots sample engine (stream mode): PySceneDetect's ContentDetector; see `engine.py`."""

from engines.shots.engine import ShotEngine

__all__ = ["ShotEngine"]
