"""The signals sample engine (stream mode): ffmpeg's blackdetect and silencedetect; see `engine.py`."""

from engines.signals.engine import SignalEngine

__all__ = ["SignalEngine"]
