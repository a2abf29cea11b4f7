"""The keywords sample engine (batch mode): YAKE, VADER and Lingua; see `engine.py`."""

from engines.keywords.engine import KeywordEngine

__all__ = ["KeywordEngine"]
