"""Key phrases (YAKE), sentiment (VADER) and language (Lingua) of a text, as one VTN document.

- Language: Lingua restricted to `LANGUAGES` (seven common European languages, each with a YAKE
  stop-word list); its models for just these load in under a second and keep start-up memory small.
  The root `language` is the ISO 639-1 code (BCP-47), left out when Lingua cannot decide.
- Key phrases: YAKE (unsupervised, statistical; up to 3 words), in the detected language (English
  when undetected). Each is an `object` of type `keyword` with its `label`; `confidence` is YAKE's
  score `s` (lower is more relevant) mapped to `1 / (1 + s)`, a relevance rank rather than a
  probability.
- Sentiment: VADER, a lexicon for English only, so it is given for English text alone: the root
  `sentiment` has `positiveValue` = max(compound, 0) and `negativeValue` = max(-compound, 0).
"""

from __future__ import annotations

import json
from typing import Any

import yake
from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from engines.toolkit.vtn import confidence

LANGUAGES = (
    Language.ENGLISH,
    Language.FRENCH,
    Language.GERMAN,
    Language.SPANISH,
    Language.ITALIAN,
    Language.PORTUGUESE,
    Language.DUTCH,
)
MAX_NGRAM = 3


class TextAnalyser:
    """The three models, loaded once (`load`), then shared: each call is independent."""

    def __init__(self) -> None:
        self._detector: LanguageDetector | None = None
        self._sentiment: SentimentIntensityAnalyzer | None = None

    def load(self) -> None:
        self._detector = (
            LanguageDetectorBuilder.from_languages(*LANGUAGES).with_preloaded_language_models().build()
        )
        self._sentiment = SentimentIntensityAnalyzer()

    def analyse(self, text: str, *, max_keywords: int) -> dict[str, Any]:
        """`{"validationContracts", "language"?, "sentiment"?, "object": [keyword objects]}`."""
        assert self._detector is not None and self._sentiment is not None, "analyse() before load()"
        document: dict[str, Any] = {"sourceEngineName": "medialens-keywords"}
        contracts = ["keyword"]
        language = self._detector.detect_language_of(text)
        code = language.iso_code_639_1.name.lower() if language is not None else "en"
        if language is not None:
            document["language"] = code
            contracts.append("language")
        if code == "en":
            compound = float(self._sentiment.polarity_scores(text)["compound"])
            document["sentiment"] = {
                "positiveValue": confidence(max(compound, 0.0)),
                "negativeValue": confidence(max(-compound, 0.0)),
            }
            contracts.append("sentiment")
        extractor = yake.KeywordExtractor(lan=code, n=MAX_NGRAM, top=max_keywords)
        document["object"] = [
            {"type": "keyword", "label": phrase, "confidence": confidence(1 / (1 + float(score)))}
            for phrase, score in extractor.extract_keywords(text)
        ]
        document["validationContracts"] = contracts
        return document


def text_of(raw: bytes) -> str:
    """The text of a Text media object: UTF-8 text, or the words of a VTN transcript (JSON with
    `series[].words`, best path first). Raises `ValueError` for anything else."""
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the text is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    if decoded.lstrip().startswith("{"):
        try:
            document = json.loads(decoded)
        except json.JSONDecodeError:
            return decoded  # text that happens to start with a brace
        return _transcript_words(document)
    return decoded


def _transcript_words(document: Any) -> str:
    series = document.get("series") if isinstance(document, dict) else None
    if not isinstance(series, list):
        raise ValueError("the JSON is not a VTN transcript (no series)")
    words: list[str] = []
    for item in sorted((i for i in series if isinstance(i, dict)), key=lambda i: i.get("startTimeMs", 0)):
        choices = [
            w for w in item.get("words") or [] if isinstance(w, dict) and isinstance(w.get("word"), str)
        ]
        best = [w for w in choices if w.get("bestPath")] or choices[:1]
        words.extend(w["word"] for w in best)
    return " ".join(words)
