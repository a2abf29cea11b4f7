"""Black frames and silences with ffmpeg's `blackdetect` and `silencedetect` filters (the ffmpeg
imageio-ffmpeg bundles; signal thresholds, no learned model). Stream mode.

The task downloads the media from `cacheURI` and runs ffmpeg once over it with both filters,
reading ffmpeg's log as it goes: each black stretch and each silence is posted on the result webhook
when ffmpeg reports its end, as a series item `[start, stop]` (ms from the start of the media)
whose `object` is `{"type": "object", "label": "black" | "silence"}` (VTN v1's `object` contract).
Media without video has no black stretches, media without audio no silences.

Payload (all optional): `blackMinSeconds` (0.5), `blackPixelThreshold` (0.10: a pixel darker than
10 % of the range is black), `silenceNoiseDb` (-50: quieter is silence), `silenceMinSeconds` (0.5).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from engines.toolkit import (
    BadInputError,
    ProcessRequest,
    TaskEngine,
    TaskReporter,
)
from engines.toolkit.media import download, ffmpeg_failure, ffmpeg_log_lines, ffmpeg_process
from engines.toolkit.vtn import labelled_segment

CONTRACTS = ["object"]
_BLACK = re.compile(r"black_start:\s*([\d.]+)\s+black_end:\s*([\d.]+)")
_SILENCE_START = re.compile(r"silence_start:\s*(-?[\d.]+)")
_SILENCE_END = re.compile(r"silence_end:\s*([\d.]+)")
_TIME = re.compile(r"\btime=(\d+):(\d+):([\d.]+)")


class SignalEngine(TaskEngine):
    """Black frames and silences (ffmpeg blackdetect and silencedetect); stream mode."""

    name: ClassVar[str] = "signals"

    def load(self) -> None:
        pass  # ffmpeg is a file in the imageio-ffmpeg wheel: nothing to load

    def check(self, request: ProcessRequest) -> None:
        if not request.cache_uri:
            raise BadInputError("a stream task needs cacheURI (the media)")
        _filters(request)

    def run(self, request: ProcessRequest, task: TaskReporter) -> None:
        assert request.cache_uri is not None
        video_filter, audio_filter = _filters(request)
        with tempfile.TemporaryDirectory(prefix="signals-") as scratch:
            media = download(request.cache_uri, Path(scratch) / "media", task)
            arguments = ["-stats_period", "1", "-i", str(media), "-vf", video_filter, "-af", audio_filter]
            with ffmpeg_process([*arguments, "-f", "null", "-"], stdout=False, task=task) as process:
                log = _report(ffmpeg_log_lines(process), task)
                if process.wait(timeout=30) != 0:
                    raise ffmpeg_failure(task, "read the media", "\n".join(log))


def _report(lines: Iterable[str], task: TaskReporter) -> list[str]:
    """Posts each black stretch and silence as ffmpeg logs it; answers the log's last lines."""
    tail: list[str] = []
    silence_start: float | None = None
    for line in lines:
        tail = [*tail[-4:], line]
        if black := _BLACK.search(line):
            _post(task, "black", float(black[1]), float(black[2]))
        elif started := _SILENCE_START.search(line):
            silence_start = max(0.0, float(started[1]))
        elif (ended := _SILENCE_END.search(line)) and silence_start is not None:
            _post(task, "silence", silence_start, float(ended[1]))
            silence_start = None
        elif clock := _TIME.search(line):
            seconds = int(clock[1]) * 3600 + int(clock[2]) * 60 + float(clock[3])
            task.progress(info=f"read {seconds:.1f} s of media")
    return tail


def _post(task: TaskReporter, label: str, start_seconds: float, stop_seconds: float) -> None:
    start_ms, stop_ms = round(start_seconds * 1000), round(stop_seconds * 1000)
    output = {"validationContracts": CONTRACTS, "series": [labelled_segment(start_ms, stop_ms, label)]}
    task.result(output, start_ms, stop_ms)


def _filters(request: ProcessRequest) -> tuple[str, str]:
    black_seconds = request.payload_number("blackMinSeconds", 0.5, low=0.04, high=3600)
    pixel = request.payload_number("blackPixelThreshold", 0.10, low=0.0, high=1.0)
    noise_db = request.payload_number("silenceNoiseDb", -50, low=-120, high=0)
    silence_seconds = request.payload_number("silenceMinSeconds", 0.5, low=0.01, high=3600)
    return (
        f"blackdetect=d={black_seconds}:pix_th={pixel}",
        f"silencedetect=n={noise_db}dB:d={silence_seconds}",
    )
