"""One engine operator's run: where its files live in S3, and the `/process` form of one chunk.

S3 layout under the execution's media path `P` (from the dataplane)::

    P engines/{operator}/plan.json                   the chunks, in order (api.engines.plan.Chunk)
    P engines/{operator}/chunks/{index:06d}.{ext}    each chunk's bytes (cacheURI is a presigned GET)
    P engines/{operator}/results/{batch:05d}-{first:06d}.json   the results of one call
    P engines/{operator}/media/{index:06d}           non-JSON answers, stored as media objects
    P engines/{operator}/tasks/{index:06d}/          a chunk's webhook task (api.engines.tasks): its
                                                      record, last heartbeat and results
    P engines/{operator}/task.json, heartbeat.json, results/webhook-*   a stream or batch task
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.engines import tasks
from api.engines.models import EngineBlock
from api.engines.plan import Chunk

PRESIGN_SECONDS = 3600


@dataclass(frozen=True)
class Run:
    """What every step of one engine operator's run shares (the machine's `EngineRun`)."""

    Bucket: str
    Prefix: str  # ends in "/"
    Operator: str
    AssetId: str
    ExecutionId: str
    Threads: int
    Payload: dict[str, Any]
    # The toolkit's `chunk-metadata-*`: the parent's metadata (MIE: the workflow's MetaData so far).
    ChunkMetadata: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Run:
        return cls(**data)

    @property
    def plan_key(self) -> str:
        return f"{self.Prefix}plan.json"

    @property
    def results_prefix(self) -> str:
        return f"{self.Prefix}results/"

    def chunk_key(self, index: int, suffix: str) -> str:
        return f"{self.Prefix}chunks/{index:06d}{suffix}"

    def results_key(self, batch: int, first: int) -> str:
        return f"{self.results_prefix}{batch:05d}-{first:06d}.json"

    @property
    def tasks_prefix(self) -> str:
        return f"{self.Prefix}tasks/"

    def task_prefix(self, index: int) -> str:
        """The webhook task of chunk `index` (a run folder of its own, as `api.engines.tasks` wants)."""
        return f"{self.tasks_prefix}{index:06d}/"

    def media_key(self, index: int) -> str:
        return f"{self.Prefix}media/{index:06d}"


def run_prefix(media_path: str, operator: str) -> str:
    base = media_path if media_path.endswith("/") else f"{media_path}/"
    return f"{base}engines/{operator}/"


def put_json(s3: Any, bucket: str, key: str, document: Any) -> None:
    body = json.dumps(document, separators=(",", ":")).encode()
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")


def get_json(s3: Any, bucket: str, key: str) -> Any:
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def chunk_metadata(parent: Any) -> dict[str, str]:
    """The `chunk-metadata-*` values of a parent's metadata: strings as they are, the rest as JSON."""
    if not isinstance(parent, dict):
        return {}
    return {
        str(key): value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        for key, value in parent.items()
    }


def webhook_endpoint() -> str | None:
    """The base URL of the platform's engine webhooks (`ENGINE_WEBHOOK_ENDPOINT`); None without them."""
    return os.environ.get(tasks.ENGINE_WEBHOOK_ENDPOINT) or None


def open_task(
    s3: Any, bucket: str, prefix: str, engine: EngineBlock, endpoint: str, token: str | None = None
) -> tuple[str, str]:
    """Write a webhook task's record under `prefix`; answer (heartbeatWebhook, resultWebhook).

    The record holds the SHA-256 of a fresh secret (the secret itself is only in the URLs),
    `ExpiresAt` = now + `MaxTTLSeconds`, and the task token a callback ends, if any.
    """
    secret = tasks.new_secret()
    now = time.time()
    record: dict[str, Any] = {
        "SecretSha256": tasks.secret_digest(secret),
        "StartedAt": now,
        "ExpiresAt": now + engine.MaxTTLSeconds,
        "HeartbeatTimeoutSeconds": engine.HeartbeatTimeoutSeconds,
    }
    if token is not None:
        record["TaskToken"] = token
    put_json(s3, bucket, tasks.task_key(prefix), record)
    return tasks.webhook_urls(endpoint, prefix, secret)


def engine_dir(operator: str) -> Path:
    """A folder kept across tasks of this engine on this machine (`engineDir`)."""
    path = Path(tempfile.gettempdir()) / "medialens-engines" / operator
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class TaskContext:
    """Who a `/process` call is for: the job (execution), operator, asset and task payload."""

    JobId: str
    Operator: str
    AssetId: str
    Payload: dict[str, Any]
    ChunkMetadata: dict[str, str] = field(default_factory=dict)  # the toolkit's `chunk-metadata-*`


def process_form(
    engine: EngineBlock, run: Run, chunk: Chunk, cache_uri: str, task_tmp_dir: Path
) -> dict[str, str]:
    """The form of one chunk of an operator's run (see `build_form`); `engineDir` is `engine_dir`."""
    task = TaskContext(run.ExecutionId, run.Operator, run.AssetId, run.Payload, run.ChunkMetadata)
    return build_form(engine, task, chunk, cache_uri, task_tmp_dir, engine_dir(run.Operator))


def build_form(
    engine: EngineBlock,
    task: TaskContext,
    chunk: Chunk,
    cache_uri: str,
    task_tmp_dir: Path,
    engine_folder: Path,
) -> dict[str, str]:
    """Every field of the toolkit's `/process` form that applies to a chunk engine (seed 000).

    All values are strings (multipart fields); `payload` is the task payload as a JSON string,
    `chunk-metadata-<key>` each key of the task's parent metadata (strings as they are, anything
    else as JSON), `chunk-metadata-assetId` the asset. The caller adds the webhooks.
    `libraryModelDirectory` is created under `engine_folder`, so it outlives the task.
    """
    fields = {
        "chunkMimeType": chunk.MimeType,
        "chunkUUID": f"{task.JobId}-{task.Operator}-{chunk.Index}",
        "chunkIndex": str(chunk.Index),
        "startOffsetMS": str(chunk.StartMs),
        "endOffsetMS": str(chunk.EndMs),
        "cacheURI": cache_uri,
        "payload": json.dumps(task.Payload, separators=(",", ":")),
        "internalJobId": task.JobId,
        "internalTaskId": f"{task.JobId}:{task.Operator}",
        "chunkContext": json.dumps({"chunkIndex": chunk.Index, "assetId": task.AssetId}),
        **{f"chunk-metadata-{key}": value for key, value in task.ChunkMetadata.items()},
        "chunk-metadata-assetId": task.AssetId,
        "taskTmpDir": str(task_tmp_dir),
        "engineDir": str(engine_folder),
        "maxTTL": str(engine.MaxTTLSeconds),
    }
    if chunk.Width and chunk.Height:
        fields["width"], fields["height"] = str(chunk.Width), str(chunk.Height)
    if engine.LibraryId:
        fields["libraryId"] = engine.LibraryId
        library = engine_folder / "library" / engine.LibraryId
        library.mkdir(parents=True, exist_ok=True)
        fields["libraryModelDirectory"] = str(library)
    if engine.LibraryEngineModelId:
        fields["libraryEngineModelId"] = engine.LibraryEngineModelId
    return fields
