"""Key phrases, sentiment and language of a Text media object: batch mode.

The text comes from `cacheURI` (plain UTF-8 text, or a VTN transcript in JSON) or, without one,
from the payload's `text`. The engine sends a heartbeat every second, posts one result (the
document `analysis.TextAnalyser` builds) on the result webhook, then `complete`. Text that is not
UTF-8, a JSON document that is not a transcript, or no words at all end the task `failed` with
`invalid_data`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import ClassVar

from engines.keywords.analysis import TextAnalyser, text_of
from engines.toolkit import (
    BadInputError,
    EngineFailure,
    FailureReason,
    ProcessRequest,
    TaskEngine,
    TaskReporter,
)
from engines.toolkit.media import download

DEFAULT_KEYWORDS = 10


class KeywordEngine(TaskEngine):
    """Key phrases (YAKE), sentiment (VADER) and language (Lingua) of a text; batch mode."""

    name: ClassVar[str] = "keywords"

    def __init__(self) -> None:
        self.analyser = TextAnalyser()

    def load(self) -> None:
        self.analyser.load()

    def check(self, request: ProcessRequest) -> None:
        text = request.payload.get("text")
        if not request.cache_uri and not isinstance(text, str):
            raise BadInputError("a batch task needs cacheURI (the text) or a payload with a 'text' string")
        request.payload_number("maxKeywords", DEFAULT_KEYWORDS, low=1, high=100)

    def run(self, request: ProcessRequest, task: TaskReporter) -> None:
        if request.cache_uri:
            with tempfile.TemporaryDirectory(prefix="keywords-") as scratch:
                raw = download(request.cache_uri, Path(scratch) / "text", task).read_bytes()
        else:
            raw = str(request.payload["text"]).encode()
            task.progress(bytes_read=len(raw))
        try:
            text = text_of(raw)
        except ValueError as exc:
            raise EngineFailure(FailureReason.INVALID_DATA, str(exc)) from exc
        if not any(character.isalpha() for character in text):
            raise EngineFailure(FailureReason.INVALID_DATA, "the text has no words")
        task.progress(info=f"analysing {len(text)} characters")
        keywords = int(request.payload_number("maxKeywords", DEFAULT_KEYWORDS, low=1, high=100))
        task.result(self.analyser.analyse(text, max_keywords=keywords), 0, 0)
