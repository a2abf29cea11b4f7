"""One video frame as a JPEG, cut with the ffmpeg binary imageio-ffmpeg bundles."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
from pymediainfo import MediaInfo

from operators.common.failures import OperatorError
from operators.common.probe import VideoFacts

FFMPEG_TIMEOUT_SECONDS = 60
# When the frame rate is unknown, stay this far before the end so a frame still follows.
END_MARGIN_SECONDS = 0.1
_STDERR_TAIL = 400


def clamp_position(requested: float, video: VideoFacts) -> float:
    """`requested`, moved back to the video's last frame if it lies past it."""
    if video.duration_seconds is None:
        return requested
    frame = 1 / video.frame_rate if video.frame_rate else END_MARGIN_SECONDS
    last_frame = max(0.0, video.duration_seconds - frame)
    return round(min(requested, last_frame), 3)


def extract_frame(source: Path, target: Path, *, position_seconds: float, width: int) -> None:
    """Write the frame at `position_seconds`, scaled to `width` (aspect kept, even height), to `target`."""
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-ss",
        f"{position_seconds:.3f}",
        "-i",
        str(source),
        "-frames:v",
        "1",
        "-an",
        "-vf",
        f"scale={width}:-2",
        "-c:v",
        "mjpeg",
        "-q:v",
        "3",
        "-f",
        "image2",
        "-y",
        str(target),
    ]
    try:
        completed = subprocess.run(command, capture_output=True, timeout=FFMPEG_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise OperatorError(f"ffmpeg did not finish within {FFMPEG_TIMEOUT_SECONDS} s") from exc
    if completed.returncode != 0:
        detail = completed.stderr.decode(errors="replace").strip()[-_STDERR_TAIL:]
        raise OperatorError(f"ffmpeg failed (exit {completed.returncode}): {detail or 'no message'}")
    if not target.is_file() or target.stat().st_size == 0:
        raise OperatorError(f"ffmpeg found no frame at {position_seconds:.3f} s")


def image_size(path: Path) -> tuple[int, int]:
    """Width and height of the image at `path`, as libmediainfo reads them."""
    info = MediaInfo.parse(path)
    images = info.image_tracks if isinstance(info, MediaInfo) else []
    if not images or not images[0].width or not images[0].height:
        raise OperatorError("ffmpeg wrote a file that is not a readable image")
    return int(images[0].width), int(images[0].height)
