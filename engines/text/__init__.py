"""The text sample engine (chunk mode): RapidOCR's PP-OCR models; see `engine.py`."""

from engines.text.engine import TextEngine

__all__ = ["TextEngine"]
