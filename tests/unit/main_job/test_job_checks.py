"""The main job's checks: they pass on findings that match the newscast and fail, saying why, on others."""

from __future__ import annotations

from typing import Any

from medialens.findings import Findings, read_findings
from medialens.job_checks import check_findings, findings_table
from medialens.news_sample import NewsSample

SAMPLE = NewsSample()


def _box(left: float, top: float, right: float, bottom: float) -> list[dict[str, float]]:
    return [
        {"x": left, "y": top},
        {"x": right, "y": top},
        {"x": right, "y": bottom},
        {"x": left, "y": bottom},
    ]


def _words(sentence: str) -> dict[str, Any]:
    series = [
        {
            "startTimeMs": 500 + 300 * i,
            "stopTimeMs": 700 + 300 * i,
            "words": [{"word": w, "confidence": 0.9, "bestPath": True}],
        }
        for i, w in enumerate(sentence.split())
    ]
    return {"validationContracts": ["transcript"], "series": series}


def _execution(**statuses: str) -> dict[str, Any]:
    operations = [{"Name": name, "Status": status} for name, status in statuses.items()]
    return {"Stages": [{"Name": "VideoAnalysis", "Operations": operations}]}


def _good() -> dict[str, Findings]:
    face = {"type": "face", "confidence": 0.9, "boundingPoly": _box(0.42, 0.1, 0.52, 0.26)}
    false_face = {"type": "face", "confidence": 0.4, "boundingPoly": _box(0.52, 0.2, 0.64, 0.4)}
    text = {"type": "text", "text": "MEDIALENS NEWS", "boundingPoly": _box(0.2, 0.8, 0.8, 0.95)}
    card = {"type": "text", "text": "WEATHER  REPORT"}
    return {
        "Transcription": read_findings(
            [_words("hello and welcome to the news that seeks the weather is cold today")]
        ),
        "FaceDetection": read_findings(
            [{"series": [{"startTimeMs": 0, "stopTimeMs": 1000, "object": o} for o in (false_face, face)]}]
        ),
        "TextDetection": read_findings(
            [
                {
                    "series": [
                        {"startTimeMs": 0, "stopTimeMs": 1000, "object": text},
                        {"startTimeMs": 5000, "stopTimeMs": 6000, "object": card},
                    ]
                }
            ]
        ),
        "KeywordDetection": read_findings(
            [
                {
                    "language": "en",
                    "object": [
                        {"type": "keyword", "label": "weather"},
                        {
                            "type": "text",
                            "text": "hello",
                            "sentiment": {"positiveValue": 0.1, "negativeValue": 0.0},
                        },
                    ],
                }
            ]
        ),
        "ShotDetection": read_findings(
            [
                {
                    "series": [
                        {"startTimeMs": a, "stopTimeMs": b, "object": {"type": "shot", "label": "shot"}}
                        for a, b in ((0, 4000), (4000, 5000), (5000, 8000))
                    ]
                }
            ]
        ),
        "BlackFramesAndSilences": read_findings(
            [
                {
                    "series": [
                        {
                            "startTimeMs": 4000,
                            "stopTimeMs": 5000,
                            "object": {"type": "black", "label": "black frames"},
                        }
                    ]
                }
            ]
        ),
    }


def test_findings_that_match_the_sample_pass_every_check() -> None:
    checks = check_findings(SAMPLE, _execution(FaceDetection="Complete", Transcription="Complete"), _good())
    assert [(c.name, c.passed) for c in checks if not c.passed] == []
    speech = next(c for c in checks if c.name == "the sentence is mostly recognised")
    assert speech.detail.startswith("11 of 13 words")  # "at six" heard as "that seeks"
    assert findings_table(_good())  # every operator that found something has a table


def test_an_operator_not_complete_fails_the_run_naming_it() -> None:
    checks = check_findings(SAMPLE, _execution(FaceDetection="Complete", Transcription="Error"), _good())
    first = checks[0]
    assert not first.passed and first.detail == "Transcription Error"


def test_a_garbled_transcript_fails_the_speech_check() -> None:
    found = _good() | {"Transcription": read_findings([_words("oh and will not been to see the day")])}
    speech = next(c for c in check_findings(SAMPLE, _execution(A="Complete"), found) if "sentence" in c.name)
    assert not speech.passed and speech.detail.startswith("4 of 13 words")


def test_a_face_box_elsewhere_or_in_another_shot_does_not_count() -> None:
    elsewhere = {"type": "face", "boundingPoly": _box(0.7, 0.5, 0.8, 0.7)}
    right_box_wrong_time = {"type": "face", "boundingPoly": _box(0.42, 0.1, 0.52, 0.26)}
    document = {
        "series": [
            {"startTimeMs": 0, "stopTimeMs": 1000, "object": elsewhere},
            {"startTimeMs": 5000, "stopTimeMs": 6000, "object": right_box_wrong_time},
        ]
    }
    found = _good() | {"FaceDetection": read_findings([document])}
    face = next(c for c in check_findings(SAMPLE, _execution(A="Complete"), found) if "face" in c.name)
    assert not face.passed and face.detail.startswith("2 face boxes; none around the face")


def test_missing_findings_fail_their_checks() -> None:
    checks = {c.name: c for c in check_findings(SAMPLE, _execution(A="Complete"), {})}
    for name in (
        "the sentence is mostly recognised",
        "the face is found",
        "the burnt-in text is read",
        "key phrases, language and sentiment",
        "the cuts are found",
        "the black segment is found",
    ):
        assert not checks[name].passed, name
    assert "missing MEDIALENS NEWS, WEATHER REPORT" in checks["the burnt-in text is read"].detail


def test_a_cut_without_a_boundary_near_it_fails() -> None:
    one_shot = {
        "series": [{"startTimeMs": 0, "stopTimeMs": 8000, "object": {"type": "shot", "label": "shot"}}]
    }
    found = _good() | {"ShotDetection": read_findings([one_shot])}
    cuts = next(c for c in check_findings(SAMPLE, _execution(A="Complete"), found) if "cuts" in c.name)
    assert not cuts.passed and "no boundary near [4000, 5000] ms" in cuts.detail


def test_counts_agree_with_their_nouns() -> None:
    one_face = {
        "series": [
            {
                "startTimeMs": 0,
                "stopTimeMs": 1000,
                "object": {"type": "face", "boundingPoly": _box(0.7, 0.5, 0.8, 0.7)},
            }
        ]
    }
    found = _good() | {"FaceDetection": read_findings([one_face])}
    checks = {c.name: c for c in check_findings(SAMPLE, _execution(A="Complete"), found)}
    assert checks["the face is found"].detail.startswith("1 face box; ")
    none = {c.name: c for c in check_findings(SAMPLE, _execution(A="Complete"), {})}
    assert none["the cuts are found"].detail.startswith("0 shots; no boundary near")
    assert (
        none["key phrases, language and sentiment"].detail
        == "0 key phrases, language none, 0 sentiment scores"
    )
