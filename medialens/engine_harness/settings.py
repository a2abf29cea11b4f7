"""A harness run's settings, and the platform's `Engine` block they make.

The block is built with the platform's own model (`api.engines.models.EngineBlock`), so the
limits, the retry policy, the chunking and the validation mode mean here what they mean in a
registered operation, and a value the platform would refuse is refused here, naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from api.engines.models import EngineBlock
from medialens.engine_harness.engine_process import EngineProcess
from medialens.engine_harness.errors import HarnessError
from medialens.engine_harness.manifest_check import KNOWN_CONTRACTS, ManifestCheck, first_problem


@dataclass
class Limits:
    """The Engine block's limits and chunking, as the command line gives them (seconds, counts)."""

    call_timeout: int = 300
    ready_timeout: int = 60
    heartbeat_timeout: int = 60
    max_ttl: int = 3600
    attempts: int = 3
    max_response_bytes: int = 10 * 1024 * 1024
    concurrency: int | None = None
    fps: float = 1.0
    video: str = "frames"
    clip_seconds: int = 10
    audio_segment_seconds: int = 10
    skip_similar_frames: bool = False
    max_blur: float | None = None


@dataclass
class EngineOptions:
    """What the engine is sent besides the media: validation, payload and library fields."""

    validation: str = "warn"
    contracts: list[str] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)
    library_id: str | None = None
    library_engine_model_id: str | None = None


def engine_block(
    process_url: str, ready_url: str, check: ManifestCheck, limits: Limits, options: EngineOptions
) -> EngineBlock:
    """The Engine block a registration with these settings would have; HarnessError naming a bad field."""
    contracts = options.contracts or check.contracts
    unknown = sorted(set(contracts) - KNOWN_CONTRACTS)
    if unknown:
        known = ", ".join(sorted(KNOWN_CONTRACTS))
        raise HarnessError(f"unknown VTN contract {', '.join(unknown)} (known: {known})")
    block: dict[str, Any] = {
        "ProcessUrl": process_url,
        "ReadyUrl": ready_url,
        "Manifest": check.raw,
        "Chunking": {
            "Video": limits.video,
            "FramesPerSecond": limits.fps,
            "ClipSeconds": limits.clip_seconds,
            "AudioSegmentSeconds": limits.audio_segment_seconds,
            "SkipSimilarFrames": limits.skip_similar_frames,
            "MaxBlur": limits.max_blur,
        },
        "CallTimeoutSeconds": limits.call_timeout,
        "ReadyTimeoutSeconds": limits.ready_timeout,
        "HeartbeatTimeoutSeconds": limits.heartbeat_timeout,
        "MaxTTLSeconds": limits.max_ttl,
        "Retry": {"MaxAttempts": limits.attempts},
        "MaxResponseBytes": limits.max_response_bytes,
        "Validation": {"Mode": options.validation, "Contracts": contracts},
        "Payload": options.payload,
    }
    if limits.concurrency is not None:
        block["Concurrency"] = limits.concurrency
    if options.library_id:
        block["LibraryId"] = options.library_id
    if options.library_engine_model_id:
        block["LibraryEngineModelId"] = options.library_engine_model_id
    try:
        return EngineBlock.model_validate(block)
    except ValidationError as exc:
        raise HarnessError(f"bad setting: {first_problem(exc)}") from None


def parse_payload(text: str | None) -> dict[str, Any]:
    """The task payload from JSON text, or from a file when the text is `@path`; {} when None."""
    if text is None:
        return {}
    source = "--payload"
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text()
        except OSError as exc:
            raise HarnessError(f"cannot read the payload file {path}: {exc.strerror or exc}") from None
        source = str(path)
    return payload_object(text, f"the payload ({source})")


def payload_object(text: str, name: str = "payload") -> dict[str, Any]:
    """A JSON object from `text` ({} when blank); HarnessError saying `name` is not one."""
    if not text.strip():
        return {}
    try:
        payload = json.loads(text)
    except ValueError as exc:
        raise HarnessError(f"{name} is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise HarnessError(f"{name} must be a JSON object")
    return payload


def checked_url(url: str, option: str) -> str:
    """An absolute http(s) URL, as the toolkit's console checks the webhook variables."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HarnessError(f"{option} must be an absolute http(s) URL, got {url!r}")
    try:
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        raise HarnessError(f"{option} has a bad port: {url!r}") from None
    return url


def resolve_engine(
    command: str | None,
    process_url: str | None,
    ready_url: str | None,
    forward: Callable[[str], None] | None = None,
) -> tuple[EngineProcess | None, str, str]:
    """(the engine command to start or None, its Process URL, its Ready URL) from the options."""
    if command is not None:
        if process_url or ready_url:
            raise HarnessError("give --command or --process-url and --ready-url, not both")
        engine = EngineProcess(command, forward=forward)
        return engine, engine.process_url, engine.ready_url
    if process_url and ready_url:
        return None, checked_url(process_url, "--process-url"), checked_url(ready_url, "--ready-url")
    raise HarnessError("give the engine: --command CMD, or both --process-url and --ready-url")
