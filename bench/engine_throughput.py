"""Throughput of a chunk engine through a workflow, next to calling the same engine directly.

A 60 s video at 2 frames per second (120 JPEG chunks) goes to an engine on 127.0.0.1 that spends
`--work-ms` on each chunk (a stand-in for inference: engine-bound work). In one run this prints:

- direct: the 120 frames cut with the same chunking code, then posted with the same client at the
  same concurrency, timed from the first call to the last answer;
- workflow: the engine registered as an operation, the video run through a one-stage workflow on
  the local platform; the engine phase (first `/process` received to last answer sent, as the
  engine saw it) and the whole execution (submit to `Complete` seen by the client);
- chunks per second of each, and their ratios to direct.

    .venv/bin/python bench/engine_throughput.py [--work-ms 500] [--concurrency 4] [--seconds 60] [--fps 2]
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from medialens_helper import HttpTransport
from medialens_helper.workflow_client import WorkflowClient
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from api.engines.models import ChunkingSpec, EngineManifest, RetryPolicy
from medialens.deployment import LocalDeployment
from medialens.runtime.platform import LocalPlatform
from medialens.sample_media import make_sample_video
from medialens.state import StateDir
from operators.engine.chunking import choose_cut, cut
from operators.engine.client import CallLimits, Outcome, post_chunk

WAIT_TIMEOUT = 900.0


class BenchEngine:
    """A chunk engine that spends `work_seconds` per chunk and notes when the calls came and went."""

    def __init__(self, work_seconds: float) -> None:
        self.work_seconds = work_seconds
        self.first: float | None = None
        self.last: float | None = None
        self.calls = 0
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> BenchEngine:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def reset(self) -> None:
        self.first = self.last = None
        self.calls = 0

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/ready":
            return Response("OK")(environ, start_response)
        began = time.perf_counter()
        start = int(request.form["startOffsetMS"])
        request.files["chunk"].read()
        time.sleep(self.work_seconds)
        body = {"object": [{"type": "object", "label": f"frame at {start} ms", "confidence": 0.5}]}
        with self._lock:
            self.calls += 1
            self.first = began if self.first is None else min(self.first, began)
            self.last = time.perf_counter()
        return Response(json.dumps(body), content_type="application/json")(environ, start_response)


def manifest() -> dict[str, Any]:
    return {"engineMode": "chunk", "supportedInputFormats": ["image/jpeg"], "maxConcurrency": 100}


def direct(
    process_url: str, video: Path, fps: float, concurrency: int, engine_manifest: dict[str, Any] | None = None
) -> tuple[int, float]:
    """Cut `video` into frames at `fps` and post them all to `process_url`: (frames, seconds of posting)."""
    chunking = ChunkingSpec(FramesPerSecond=fps)
    how = choose_cut(
        "Video", video.name, chunking, EngineManifest.model_validate(engine_manifest or manifest())
    )
    assert how is not None
    with tempfile.TemporaryDirectory() as workdir:
        pieces = cut(video, how, chunking, Path(workdir))
        frames = [(piece, piece.path.read_bytes()) for piece in pieces]
    limits = CallLimits(60, 10 * 1024 * 1024, RetryPolicy())

    def call(item: tuple[Any, bytes]) -> Outcome:
        piece, data = item
        fields = {
            "chunkMimeType": how.mime_type,
            "startOffsetMS": str(piece.start_ms),
            "endOffsetMS": str(piece.end_ms),
        }
        return post_chunk(process_url, fields, ("chunk.jpg", data, how.mime_type), limits).outcome

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        outcomes = list(pool.map(call, frames))
    elapsed = time.perf_counter() - began
    assert all(outcome is Outcome.SUCCESS for outcome in outcomes), outcomes
    return len(frames), elapsed


def run_engine_operator(
    body: dict[str, Any], video: Path, on_submit: Callable[[], None] | None = None
) -> tuple[dict[str, Any], float]:
    """`body` (an engine operation) registered on a fresh local platform and run on `video` in a
    one-stage workflow: (the final execution, seconds from submit to its end)."""
    name = str(body["Name"])
    with tempfile.TemporaryDirectory(prefix="medialens-bench-") as root:
        state = StateDir(Path(root))
        platform = LocalPlatform(state, LocalDeployment(state, operators=[]), save_snapshot=False)
        endpoints = platform.start(progress=lambda _: None)
        try:
            credentials = state.credentials()
            session = boto3.Session(
                aws_access_key_id=credentials.access_key_id,
                aws_secret_access_key=credentials.secret_access_key,
                region_name=credentials.region,
            )
            api = WorkflowClient(HttpTransport(endpoints.workflow_api, session=session))
            api.upsert("operation", body)
            flow = f"Bench{name}Flow"
            api.upsert("", {"Name": flow, "StartAt": f"_{name}", "Stages": {f"_{name}": {"End": True}}})
            key = "upload/bench.mp4"
            session.client("s3", endpoint_url=endpoints.moto_url).upload_file(
                str(video), endpoints.dataplane_bucket, key
            )
            if on_submit is not None:
                on_submit()
            began = time.perf_counter()
            submitted = api.start(flow, {"Video": {"S3Bucket": endpoints.dataplane_bucket, "S3Key": key}})
            execution = api.wait(submitted["Id"], timeout=WAIT_TIMEOUT, poll_seconds=0.5)
            elapsed = time.perf_counter() - began
        finally:
            platform.stop(progress=lambda _: None)
    if execution["Status"] != "Complete":
        raise SystemExit(f"the workflow ended {execution['Status']}: {execution.get('Error')}")
    return execution, elapsed


def through_workflow(
    engine: BenchEngine, video: Path, fps: float, concurrency: int
) -> tuple[int, float, float]:
    block = {
        "ProcessUrl": f"{engine.url}/process",
        "ReadyUrl": f"{engine.url}/ready",
        "Manifest": manifest(),
        "Chunking": {"FramesPerSecond": fps},
        "Concurrency": concurrency,
        "Validation": {"Mode": "off"},
    }
    body = {"Name": "BenchEngine", "Configuration": {"MediaType": "Video", "Enabled": True}, "Engine": block}
    _, whole = run_engine_operator(body, video, on_submit=engine.reset)
    assert engine.first is not None and engine.last is not None
    return engine.calls, engine.last - engine.first, whole


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work-ms", type=float, default=500, help="time the engine spends per chunk")
    parser.add_argument("--concurrency", type=int, default=4, help="parallel /process calls")
    parser.add_argument("--seconds", type=float, default=60, help="length of the video")
    parser.add_argument("--fps", type=float, default=2, help="frames per second sent to the engine")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per chunk otherwise

    with tempfile.TemporaryDirectory(prefix="medialens-bench-media-") as media:
        video = make_sample_video(Path(media) / "bench.mp4", seconds=args.seconds)
        with BenchEngine(args.work_ms / 1000) as engine:
            count, direct_seconds = direct(f"{engine.url}/process", video, args.fps, args.concurrency)
            calls, phase_seconds, whole_seconds = through_workflow(engine, video, args.fps, args.concurrency)

    base = count / direct_seconds
    print(
        f"{args.seconds:g} s video at {args.fps:g} fps, engine work {args.work_ms:g} ms/chunk, "
        f"concurrency {args.concurrency}"
    )
    print(f"{'path':<28}{'chunks':>8}{'seconds':>10}{'chunks/s':>10}{'ratio':>8}")
    rows = [
        ("direct calls", count, direct_seconds),
        ("workflow, engine phase", calls, phase_seconds),
        ("workflow, whole execution", calls, whole_seconds),
    ]
    for label, chunks, seconds in rows:
        rate = chunks / seconds
        print(f"{label:<28}{chunks:>8}{seconds:>10.2f}{rate:>10.2f}{rate / base:>8.2f}")


if __name__ == "__main__":
    main()
