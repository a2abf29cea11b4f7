"""The transcription sample engine (stream mode): PocketSphinx's en-US model; see `engine.py`."""

from engines.transcription.engine import TranscriptionEngine

__all__ = ["TranscriptionEngine"]
