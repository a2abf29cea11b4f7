"""The `/process` form of the Veritone Engine Toolkit, parsed into one typed request.

Every field of the toolkit's documentation (seed 000, "Process webhook") is read; all arrive as
multipart/form-data strings, numbers included. A field that cannot be what the documentation says
(`startOffsetMS` not an integer, `payload` not a JSON object, ...) is a `BadInputError`, which the
service answers with 400 and the message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request

METADATA_PREFIX = "chunk-metadata-"


class BadInputError(ValueError):
    """The caller's mistake: answered 400 with this message (never 5xx)."""


@dataclass(frozen=True)
class ProcessRequest:
    """One `/process` call. Offsets are milliseconds from the start of the media (toolkit's
    absolute offsets); `max_ttl` is in seconds; absent fields are `None` (or empty)."""

    chunk: bytes | None = None
    chunk_mime_type: str = ""
    chunk_uuid: str = ""
    chunk_index: int | None = None
    start_offset_ms: int = 0
    end_offset_ms: int = 0
    width: int | None = None
    height: int | None = None
    cache_uri: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    internal_job_id: str = ""
    internal_task_id: str = ""
    chunk_context: str | None = None
    chunk_metadata: dict[str, str] = field(default_factory=dict)
    input_folder_id: str | None = None
    library_id: str | None = None
    library_engine_model_id: str | None = None
    library_model_directory: str | None = None
    task_tmp_dir: str | None = None
    engine_dir: str | None = None
    heartbeat_webhook: str | None = None
    result_webhook: str | None = None
    external_callback_webhook: str | None = None
    max_ttl: int | None = None
    veritone_api_base_url: str | None = None
    token: str | None = None

    def payload_number(self, key: str, default: float, *, low: float, high: float) -> float:
        """A number from the task payload, `default` when absent; outside [low, high] is bad input."""
        value = self.payload.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise BadInputError(f"payload.{key} must be a number from {low} to {high}, not {value!r}")
        return float(value)


def parse_process_form(request: Request) -> ProcessRequest:
    """The typed request of a multipart `/process` POST. Raises `BadInputError`."""
    form: MultiDict[str, str] = request.form
    upload = request.files.get("chunk")
    chunk = upload.read() if upload is not None else None
    start = _integer(form, "startOffsetMS") or 0
    end = _integer(form, "endOffsetMS") or start
    if end < start:
        raise BadInputError(f"endOffsetMS ({end}) is before startOffsetMS ({start})")
    return ProcessRequest(
        chunk=chunk,
        chunk_mime_type=(form.get("chunkMimeType") or (upload.mimetype if upload else "") or "").lower(),
        chunk_uuid=form.get("chunkUUID", ""),
        chunk_index=_integer(form, "chunkIndex"),
        start_offset_ms=start,
        end_offset_ms=end,
        width=_integer(form, "width"),
        height=_integer(form, "height"),
        cache_uri=_text(form, "cacheURI"),
        payload=_payload(form.get("payload")),
        internal_job_id=form.get("internalJobId", ""),
        internal_task_id=form.get("internalTaskId", ""),
        chunk_context=_text(form, "chunkContext"),
        chunk_metadata={
            key.removeprefix(METADATA_PREFIX): value
            for key, value in form.items()
            if key.startswith(METADATA_PREFIX)
        },
        input_folder_id=_text(form, "inputFolderID"),
        library_id=_text(form, "libraryId"),
        library_engine_model_id=_text(form, "libraryEngineModelId"),
        library_model_directory=_text(form, "libraryModelDirectory"),
        task_tmp_dir=_text(form, "taskTmpDir"),
        engine_dir=_text(form, "engineDir"),
        heartbeat_webhook=_text(form, "heartbeatWebhook"),
        result_webhook=_text(form, "resultWebhook"),
        external_callback_webhook=_text(form, "externalCallbackWebhook"),
        max_ttl=_integer(form, "maxTTL"),
        veritone_api_base_url=_text(form, "veritoneApiBaseUrl"),
        token=_text(form, "token"),
    )


def _text(form: MultiDict[str, str], name: str) -> str | None:
    value = form.get(name)
    return value if value else None


def _integer(form: MultiDict[str, str], name: str) -> int | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise BadInputError(f"{name} must be an integer, not {value!r}") from None
    if number < 0:
        raise BadInputError(f"{name} must not be negative, not {number}")
    return number


def _payload(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadInputError(f"payload is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise BadInputError(f"payload must be a JSON object, not {type(payload).__name__}")
    return payload
