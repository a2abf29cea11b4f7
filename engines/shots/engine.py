"""Shot boundaries with PySceneDetect's `ContentDetector` (a threshold on the change of hue,
saturation and luminance between frames; no learned model). Stream mode.

The task downloads the video from `cacheURI`, reads it with OpenCV in steps of `STEP_SECONDS`,
and posts each shot on the result webhook as soon as the cut that ends it is found: a series item
`[start, stop]` (ms from the start of the video) whose `object` is `{"type": "object",
"label": "shot"}`, VTN v1's `object` contract (v1 has no segment contract). A video without a cut
is one shot. Payload: `threshold` (27), `minShotSeconds` (0.5: a cut closer than this to the
previous one is merged into it).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, ClassVar

from scenedetect import ContentDetector, SceneManager, open_video
from scenedetect.video_stream import VideoOpenFailure

from engines.toolkit import (
    BadInputError,
    EngineFailure,
    FailureReason,
    ProcessRequest,
    TaskEngine,
    TaskReporter,
)
from engines.toolkit.media import download
from engines.toolkit.vtn import labelled_segment

CONTRACTS = ["object"]
STEP_SECONDS = 10.0
DEFAULT_THRESHOLD = 27.0  # ContentDetector's default
# ContentDetector's default minimum is 15 frames: 1.5 s at 10 frames per second, which merges a
# one-second shot into the next. A minimum in seconds holds whatever the frame rate.
DEFAULT_MIN_SHOT_SECONDS = 0.5


class ShotEngine(TaskEngine):
    """Shot boundaries in a video (PySceneDetect ContentDetector); stream mode."""

    name: ClassVar[str] = "shots"

    def load(self) -> None:
        ContentDetector()  # imports OpenCV and the detector: nothing to download

    def check(self, request: ProcessRequest) -> None:
        if not request.cache_uri:
            raise BadInputError("a stream task needs cacheURI (the video)")
        request.payload_number("threshold", DEFAULT_THRESHOLD, low=1.0, high=255.0)
        request.payload_number("minShotSeconds", DEFAULT_MIN_SHOT_SECONDS, low=0.0, high=3600.0)

    def run(self, request: ProcessRequest, task: TaskReporter) -> None:
        assert request.cache_uri is not None
        threshold = request.payload_number("threshold", DEFAULT_THRESHOLD, low=1.0, high=255.0)
        shortest = request.payload_number("minShotSeconds", DEFAULT_MIN_SHOT_SECONDS, low=0.0, high=3600.0)
        with tempfile.TemporaryDirectory(prefix="shots-") as scratch:
            media = download(request.cache_uri, Path(scratch) / "video", task)
            try:
                video = open_video(str(media), backend="opencv")
            except VideoOpenFailure as exc:
                raise EngineFailure(FailureReason.INVALID_DATA, f"not a readable video: {exc}") from exc
            manager = SceneManager()
            manager.add_detector(ContentDetector(threshold=threshold, min_scene_len=shortest))
            posted = 0
            while manager.detect_scenes(video, duration=STEP_SECONDS) > 0:
                shots = manager.get_scene_list(start_in_scene=True)[:-1]  # the last one is still open
                posted = _post(task, shots, posted)
                task.progress(info=f"read {video.position.seconds:.1f} s of {video.duration.seconds:.1f} s")
            _post(task, manager.get_scene_list(start_in_scene=True), posted)


def _post(task: TaskReporter, shots: list[Any], posted: int) -> int:
    """Posts the shots after the first `posted`; answers how many are posted now."""
    for start, stop in shots[posted:]:
        start_ms, stop_ms = round(start.seconds * 1000), round(stop.seconds * 1000)
        output = {"validationContracts": CONTRACTS, "series": [labelled_segment(start_ms, stop_ms, "shot")]}
        task.result(output, start_ms, stop_ms)
    return max(posted, len(shots))
