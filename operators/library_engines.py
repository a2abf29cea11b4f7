"""The operators the sample engines (`engines/`) become, as `POST /workflow/operation` bodies.

An engine is one HTTP service; an operator is one use of it on one media type, so one engine may
back several operators, as MIE shipped `faceDetection` and `faceDetectionImage`. The engine's
URLs are known only once it runs: `operation_requests` takes them (engine name -> base URL).
Each operator validates its engine's output strictly against the contracts its manifest declares.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENGINES_ROOT = Path(__file__).resolve().parent.parent / "engines"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class EngineOperator:
    """One operator on a sample engine: its operation Name, engine, media type and Engine settings."""

    name: str
    engine: str
    media_type: str
    description: str
    settings: Mapping[str, Any] = field(default_factory=dict)  # Engine block fields besides URLs


_FRAMES = {"Video": "frames", "FramesPerSecond": 1, "SkipSimilarFrames": True}
_ASYNC = {"HeartbeatTimeoutSeconds": 30, "MaxTTLSeconds": 900}

LIBRARY_ENGINE_OPERATORS: tuple[EngineOperator, ...] = (
    EngineOperator(
        "FaceDetection",
        "faces",
        "Video",
        "Faces in the video's frames (1 per second, near-identical frames skipped), with boxes",
        {"Chunking": _FRAMES, "Concurrency": 2, "CallTimeoutSeconds": 60},
    ),
    EngineOperator("FaceDetectionImage", "faces", "Image", "Faces in an image, with boxes"),
    EngineOperator(
        "TextDetection",
        "text",
        "Video",
        "Text read in the video's frames (1 per second, near-identical frames skipped)",
        {"Chunking": _FRAMES, "Concurrency": 2, "CallTimeoutSeconds": 120},
    ),
    EngineOperator("TextDetectionImage", "text", "Image", "Text read in an image, with its polygons"),
    EngineOperator(
        "Transcription", "transcription", "Video", "Speech to text with word times, output as Text", _ASYNC
    ),
    EngineOperator("ShotDetection", "shots", "Video", "Shot boundaries (PySceneDetect)", _ASYNC),
    EngineOperator(
        "BlackFramesAndSilences", "signals", "Video", "Black segments and silences (ffmpeg filters)", _ASYNC
    ),
    EngineOperator("KeywordDetection", "keywords", "Text", "Key phrases, sentiment and language", _ASYNC),
)


def engine_manifest(engine: str, root: Path = ENGINES_ROOT) -> dict[str, Any]:
    """The engine's `manifest.json`; raises OSError or ValueError when it is missing or malformed."""
    document = json.loads((root / engine / MANIFEST_FILE).read_text())
    if not isinstance(document, dict):
        raise ValueError(f"{root / engine / MANIFEST_FILE}: not a JSON object")
    return document


def operation_request(operator: EngineOperator, base_url: str, manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The `POST /workflow/operation` body of `operator` on the engine serving at `base_url`."""
    contracts = [str(name) for name in manifest.get("validationContracts", [])]
    engine: dict[str, Any] = {
        "ProcessUrl": f"{base_url}/process",
        "ReadyUrl": f"{base_url}/ready",
        "Manifest": dict(manifest),
        "Validation": {"Mode": "strict", "Contracts": contracts},
        **operator.settings,
    }
    return {
        "Name": operator.name,
        "Configuration": {"MediaType": operator.media_type, "Enabled": True},
        "Engine": engine,
        "Description": operator.description,
    }


def operation_requests(
    engine_urls: Mapping[str, str], operators: Iterable[EngineOperator] = LIBRARY_ENGINE_OPERATORS
) -> list[dict[str, Any]]:
    """The bodies of every library operator whose engine runs (`engine_urls`: name -> base URL)."""
    return [
        operation_request(operator, engine_urls[operator.engine], engine_manifest(operator.engine))
        for operator in operators
        if operator.engine in engine_urls
    ]


def sample_engines(root: Path = ENGINES_ROOT) -> list[str]:
    """The sample engines the library's operators use that are present (a folder with a manifest)."""
    names = dict.fromkeys(operator.engine for operator in LIBRARY_ENGINE_OPERATORS)
    return [name for name in names if (root / name / MANIFEST_FILE).is_file()]
