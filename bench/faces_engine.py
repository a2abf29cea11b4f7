"""Frames per second through the sample faces engine in a workflow, next to calling it directly,
and the wall time of `medialens run` (what `make run` does), printed side by side in one run.

- direct: a 60 s video of the newscast's face shot (a frame counter makes every frame differ)
  cut at `--fps` with the platform's own chunking code, the frames posted to the hosted faces
  engine with the platform's client at `--concurrency`, timed from the first call to the last
  answer;
- workflow: the same engine as the library's `FaceDetection` operator (same frame rate and
  concurrency, no frame skipping) in a one-stage workflow on the local platform, timed from
  submit to `Complete`;
- `medialens run`: the main job in a subprocess on a fresh state folder (platform start, every
  sample engine, the video workflow, the checks, the stop), unless `--no-run`.

    .venv/bin/python bench/faces_engine.py [--seconds 60] [--fps 2] [--concurrency 2] [--no-run]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
from engine_throughput import direct, run_engine_operator  # bench/ is first on sys.path

from medialens.news_sample import FPS, astronaut_shot, encode_frames
from medialens.runtime.engine_processes import EngineProcess, EngineState
from medialens.sample_engines import sample_engine_commands
from operators.library_engines import LIBRARY_ENGINE_OPERATORS, engine_manifest, operation_request

WAIT_TIMEOUT = 900.0


def face_video(path: Path, seconds: float) -> Path:
    """H.264 at the newscast's size and rate: the face shot, each frame numbered."""
    shot = astronaut_shot("FRAME")
    frames = []
    for index in range(int(seconds * FPS)):
        frame = shot.copy()
        cv2.putText(frame, str(index), (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 1, (255, 255, 255), 2)
        frames.append(frame)
    return encode_frames(frames, path)


def through_workflow(base_url: str, video: Path, fps: float, concurrency: int) -> float:
    operator = next(op for op in LIBRARY_ENGINE_OPERATORS if op.name == "FaceDetection")
    body = operation_request(operator, base_url, engine_manifest("faces"))
    body["Engine"].update(Chunking={"Video": "frames", "FramesPerSecond": fps}, Concurrency=concurrency)
    _, elapsed = run_engine_operator(body, video)
    return elapsed


def make_run_seconds() -> float:
    with tempfile.TemporaryDirectory(prefix="medialens-bench-run-") as home:
        env = {**os.environ, "MEDIALENS_HOME": home}
        env.pop("MEDIALENS_ENGINES", None)
        began = time.perf_counter()
        done = subprocess.run(
            [str(Path(sys.executable).parent / "medialens"), "run"], env=env, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"medialens run failed: {done.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60, help="length of the video")
    parser.add_argument("--fps", type=float, default=2, help="frames per second sent to the engine")
    parser.add_argument("--concurrency", type=int, default=2, help="parallel /process calls")
    parser.add_argument("--no-run", action="store_true", help="leave out the `medialens run` timing")
    args = parser.parse_args()

    [command] = sample_engine_commands(["faces"])
    engine = EngineProcess(command)
    engine.start()
    try:
        if engine.wait_settled(120) is not EngineState.READY:
            raise SystemExit(f"the faces engine did not start: {engine.describe()}")
        with tempfile.TemporaryDirectory(prefix="medialens-bench-media-") as media:
            video = face_video(Path(media) / "faces.mp4", args.seconds)
            frames, direct_seconds = direct(
                engine.process_url, video, args.fps, args.concurrency, engine_manifest("faces")
            )
            workflow_seconds = through_workflow(engine.base_url, video, args.fps, args.concurrency)
    finally:
        engine.stop()
    run_seconds = None if args.no_run else make_run_seconds()

    base = frames / direct_seconds
    print(f"faces engine, {args.seconds:g} s video at {args.fps:g} fps, concurrency {args.concurrency}")
    print(f"{'path':<34}{'frames':>8}{'seconds':>10}{'frames/s':>10}{'ratio':>8}")
    for label, seconds in (
        ("direct calls", direct_seconds),
        ("workflow (submit to Complete)", workflow_seconds),
    ):
        rate = frames / seconds
        print(f"{label:<34}{frames:>8}{seconds:>10.2f}{rate:>10.2f}{rate / base:>8.2f}")
    if run_seconds is not None:
        print(f"{'medialens run (make run), wall':<34}{'':>8}{run_seconds:>10.2f}")


if __name__ == "__main__":
    main()
