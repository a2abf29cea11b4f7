"""Does an analysis of the main job's newscast match what the newscast holds? And how to show it.

Each check compares the findings read back through the dataplane API with `NewsSample`:
- every operator of the workflow `Complete`;
- the sentence mostly recognised: at least `MIN_WORDS_RECOGNISED` of its words in the transcript;
- the face found: a face box around the astronaut's face, in the shot that shows it;
- the headline and the card read (letters compared without spaces or case);
- key phrases, a language (English) and a sentiment for the transcript;
- the cuts found (a shot boundary within `CUT_TOLERANCE_MS` of each), the black segment found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.table import Table

from medialens.findings import Finding, Findings
from medialens.news_sample import NewsSample

MIN_WORDS_RECOGNISED = 0.6
CUT_TOLERANCE_MS = 600


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


def check_findings(
    sample: NewsSample, execution: dict[str, Any], findings: dict[str, Findings]
) -> list[Check]:
    """One Check per claim above; an operator without findings fails its checks, saying so."""
    empty = Findings()
    statuses = {
        operation["Name"]: operation["Status"]
        for stage in execution.get("Stages", [])
        for operation in stage["Operations"]
    }
    not_complete = {name: status for name, status in statuses.items() if status != "Complete"}
    checks = [
        Check(
            "every operator completed",
            bool(statuses) and not not_complete,
            ", ".join(f"{name} {status}" for name, status in not_complete.items())
            or f"{len(statuses)} of them",
        ),
        _speech(sample, findings.get("Transcription", empty)),
        _face(sample, findings.get("FaceDetection", empty)),
        _text(sample, findings.get("TextDetection", empty)),
        _text_analysis(findings.get("KeywordDetection", empty)),
        _cuts(sample, findings.get("ShotDetection", empty)),
        _black(sample, findings.get("BlackFramesAndSilences", empty)),
    ]
    return checks


def _speech(sample: NewsSample, found: Findings) -> Check:
    heard = {finding.text.lower() for finding in found.words}
    recognised = [word for word in sample.words if word in heard]
    share = len(recognised) / len(sample.words)
    return Check(
        "the sentence is mostly recognised",
        share >= MIN_WORDS_RECOGNISED,
        f"{len(recognised)} of {len(sample.words)} words: {' '.join(w.text for w in found.words) or 'none'}",
    )


def _face(sample: NewsSample, found: Findings) -> Check:
    start, stop = (int(seconds * 1000) for seconds in sample.face_span)
    x, y = sample.face_centre
    hits = [
        face
        for face in found.faces
        if face.box is not None
        and face.start_ms < stop
        and face.stop_ms > start
        and face.box[0] <= x <= face.box[2]
        and face.box[1] <= y <= face.box[3]
    ]
    where = f"{_span(hits[0])} at {_box(hits[0])}" if hits else "none around the face"
    boxes = _count(len(found.faces), "face box", "face boxes")
    return Check("the face is found", bool(hits), f"{boxes}; {where}")


def _count(number: int, singular: str, plural: str | None = None) -> str:
    """`1 shot`, `3 shots`: the noun agrees with the number."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def _text(sample: NewsSample, found: Findings) -> Check:
    read = {_letters(finding.text) for finding in found.texts}
    wanted = [sample.headline, sample.card]
    missing = [text for text in wanted if not any(_letters(text) in letters for letters in read)]
    texts = sorted({finding.text for finding in found.texts})
    return Check(
        "the burnt-in text is read",
        not missing,
        f"read: {', '.join(texts) or 'nothing'}" + (f"; missing {', '.join(missing)}" if missing else ""),
    )


def _text_analysis(found: Findings) -> Check:
    english = [language for language in found.languages if language.lower().startswith("en")]
    passed = bool(found.keywords) and bool(english) and bool(found.sentiments)
    return Check(
        "key phrases, language and sentiment",
        passed,
        f"{_count(len(found.keywords), 'key phrase')}, language {', '.join(found.languages) or 'none'}, "
        f"{_count(len(found.sentiments), 'sentiment score')}",
    )


def _cuts(sample: NewsSample, found: Findings) -> Check:
    cuts = [int(sample.black_span[0] * 1000), int(sample.cut_at * 1000)]
    bounds = {bound for finding in found.segments for bound in (finding.start_ms, finding.stop_ms)}
    missed = [cut for cut in cuts if not any(abs(cut - bound) <= CUT_TOLERANCE_MS for bound in bounds)]
    return Check(
        "the cuts are found",
        bool(found.segments) and not missed,
        _count(len(found.segments), "shot") + (f"; no boundary near {missed} ms" if missed else ""),
    )


def _black(sample: NewsSample, found: Findings) -> Check:
    start, stop = (int(seconds * 1000) for seconds in sample.black_span)
    black = [
        s for s in found.segments if "black" in s.text.lower() and s.start_ms < stop and s.stop_ms > start
    ]
    return Check(
        "the black segment is found",
        bool(black),
        ", ".join(f"{s.text} {_span(s)}" for s in found.segments) or "no segments",
    )


def findings_table(findings: dict[str, Findings]) -> list[Table]:
    """What each operator found, one table per operator that found something."""
    tables = []
    for operator, found in findings.items():
        table = Table(title=f"{operator} found")
        for column in ("kind", "when", "what"):
            table.add_column(column)
        if found.words:
            spoken = " ".join(word.text for word in found.words)
            table.add_row("transcript", _span(found.words[0], found.words[-1]), spoken)
        for kind, items in (("face", found.faces), ("text", found.texts), ("segment", found.segments)):
            for item in items:
                table.add_row(kind, _span(item), item.text + (f" at {_box(item)}" if item.box else ""))
        if found.keywords:
            table.add_row("key phrases", "", ", ".join(k.text for k in found.keywords))
        if found.languages:
            table.add_row("language", "", ", ".join(sorted(set(found.languages))))
        for sentiment in found.sentiments:
            table.add_row("sentiment", "", ", ".join(f"{key} {value}" for key, value in sentiment.items()))
        if table.row_count:
            tables.append(table)
    return tables


def _letters(text: str) -> str:
    return "".join(character for character in text.upper() if character.isalnum())


def _span(first: Finding, last: Finding | None = None) -> str:
    return f"{first.start_ms / 1000:.1f}-{(last or first).stop_ms / 1000:.1f} s"


def _box(finding: Finding) -> str:
    assert finding.box is not None
    return "(" + ", ".join(f"{value:.2f}" for value in finding.box) + ")"
