"""The `Engine` block of an operation: a Veritone-style HTTP engine the platform runs as an operator.

Registered with `POST /workflow/operation` instead of Lambda ARNs::

    {"Name": "FaceBoxes", "Configuration": {"MediaType": "Video", "Enabled": true},
     "Engine": {"ProcessUrl": "http://engine:8080/process", "ReadyUrl": "http://engine:8080/ready",
                "Manifest": {"engineMode": "chunk", "supportedInputFormats": ["image/jpeg"], ...},
                "Chunking": {"Video": "frames", "FramesPerSecond": 1},
                "Concurrency": 4, "CallTimeoutSeconds": 300,
                "Retry": {"MaxAttempts": 3, "InitialBackoffMs": 100, "MaxBackoffMs": 1000},
                "Validation": {"Mode": "warn", "Contracts": ["object"]},
                "Payload": {...}, "LibraryId": "...", "LibraryEngineModelId": "..."}}

`Manifest` is the engine's own `manifest.json` (Veritone's field names; unknown fields are kept,
and both spellings of `initialConcurrency` are accepted, the toolkit's examples write
`intialConcurrency`). Defaults follow the Engine Toolkit (`engine/config.go`): 3 attempts, 100 ms
then 200 ms backoff capped at 1 s, Ready polled every second for up to 60 s.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, HttpUrl, model_validator

MAX_CONCURRENCY = 100
MAX_CALL_TIMEOUT_SECONDS = 900  # one call must fit in one Lambda invocation
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024


class EngineMode(StrEnum):
    """manifest.json `engineMode`; `legacy` engines (GraphQL, Kafka) cannot be driven over HTTP."""

    CHUNK = "chunk"
    STREAM = "stream"
    BATCH = "batch"


class ValidationMode(StrEnum):
    OFF = "off"
    WARN = "warn"
    STRICT = "strict"


VtnContract = Literal[
    "anomaly",
    "concept",
    "entity",
    "keyword",
    "language",
    "media-translated",
    "object",
    "sentiment",
    "summary",
    "text",
    "transcript",
]
# `type/subtype`; `type/*` and `*/*` as wildcards (a `*` type only with a `*` subtype, as in HTTP's Accept).
MimeType = Annotated[str, Field(pattern=r"^(\*/\*|[A-Za-z0-9.+-]+/(\*|[A-Za-z0-9.+-]+))$", max_length=255)]


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EngineManifest(BaseModel):
    """The fields of manifest.json the platform acts on; the rest is kept as the engine wrote it."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    engineMode: EngineMode  # noqa: N815 - manifest.json's own field names
    supportedInputFormats: Annotated[list[MimeType], Field(min_length=1)]  # noqa: N815
    preferredInputFormat: MimeType | None = None  # noqa: N815
    outputFormats: list[MimeType] = Field(default_factory=lambda: ["application/json"])  # noqa: N815
    maxConcurrency: Annotated[int, Field(ge=1, le=1000)] | None = None  # noqa: N815
    initialConcurrency: Annotated[int, Field(ge=1, le=1000)] | None = Field(  # noqa: N815
        default=None, validation_alias=AliasChoices("initialConcurrency", "intialConcurrency")
    )

    def supports(self, mime_type: str) -> bool:
        """`image/*` in the manifest accepts `image/jpeg`; `*/*` accepts anything."""
        major = mime_type.split("/", 1)[0]
        accepted = {mime.lower() for mime in self.supportedInputFormats}
        return bool({mime_type.lower(), f"{major}/*".lower(), "*/*"} & accepted)


class ChunkingSpec(_Block):
    """How a chunk engine's input is cut. Images and text are always sent whole."""

    Video: Literal["frames", "clips"] = "frames"
    FramesPerSecond: Annotated[float, Field(gt=0, le=30)] = 1.0
    ClipSeconds: Annotated[int, Field(ge=1, le=3600)] = 10
    AudioSegmentSeconds: Annotated[int, Field(ge=1, le=3600)] = 10
    # Dynamic frame selection (frames only): drop a frame nearly identical to the last one kept
    # (ffmpeg's mpdecimate), and frames blurrier than MaxBlur (ffmpeg's blurdetect score).
    SkipSimilarFrames: bool = False
    MaxBlur: Annotated[float, Field(gt=0)] | None = None

    @property
    def selects_frames(self) -> bool:
        return self.SkipSimilarFrames or self.MaxBlur is not None


class RetryPolicy(_Block):
    """Attempts in all (not retries); the wait doubles from the initial one up to the cap."""

    MaxAttempts: Annotated[int, Field(ge=1, le=10)] = 3
    InitialBackoffMs: Annotated[int, Field(ge=0, le=60_000)] = 100
    MaxBackoffMs: Annotated[int, Field(ge=0, le=300_000)] = 1000

    def backoff_seconds(self, attempt: int) -> float:
        """Wait after failed attempt number `attempt` (1-based): 0.1 s, 0.2 s, ... capped."""
        return min(self.InitialBackoffMs * 2 ** (attempt - 1), self.MaxBackoffMs) / 1000


class ValidationSpec(_Block):
    Mode: ValidationMode = ValidationMode.WARN
    Contracts: list[VtnContract] = Field(default_factory=list)


class EngineBlock(_Block):
    ProcessUrl: HttpUrl
    ReadyUrl: HttpUrl
    Manifest: EngineManifest
    Chunking: ChunkingSpec = Field(default_factory=ChunkingSpec)
    Concurrency: Annotated[int, Field(ge=1, le=MAX_CONCURRENCY)] | None = None
    CallTimeoutSeconds: Annotated[int, Field(ge=1, le=MAX_CALL_TIMEOUT_SECONDS)] = 300
    ReadyTimeoutSeconds: Annotated[int, Field(ge=1, le=600)] = 60
    HeartbeatTimeoutSeconds: Annotated[int, Field(ge=1, le=3600)] = 60
    MaxTTLSeconds: Annotated[int, Field(ge=1, le=7 * 24 * 3600)] = 3600
    Retry: RetryPolicy = Field(default_factory=RetryPolicy)
    Validation: ValidationSpec = Field(default_factory=ValidationSpec)
    FailedChunkTolerance: Annotated[int, Field(ge=0)] = 0
    MaxResponseBytes: Annotated[int, Field(ge=1024, le=100 * 1024 * 1024)] = DEFAULT_MAX_RESPONSE_BYTES
    Payload: dict[str, Any] = Field(default_factory=dict)
    LibraryId: Annotated[str, Field(min_length=1, max_length=256)] | None = None
    LibraryEngineModelId: Annotated[str, Field(min_length=1, max_length=256)] | None = None

    @model_validator(mode="after")
    def _concurrency_within_manifest(self) -> EngineBlock:
        cap = self.Manifest.maxConcurrency
        if self.Concurrency is not None and cap is not None and self.Concurrency > cap:
            raise ValueError(f"Concurrency {self.Concurrency} exceeds the manifest's maxConcurrency {cap}")
        return self

    @property
    def mode(self) -> EngineMode:
        return self.Manifest.engineMode

    def effective_concurrency(self) -> int:
        """Concurrency, else the manifest's initialConcurrency, never above maxConcurrency or 100."""
        wanted = self.Concurrency or self.Manifest.initialConcurrency or 1
        cap = min(self.Manifest.maxConcurrency or MAX_CONCURRENCY, MAX_CONCURRENCY)
        return max(1, min(wanted, cap))
