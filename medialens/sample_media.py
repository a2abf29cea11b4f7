"""Generate small, real media files with the ffmpeg that imageio-ffmpeg bundles."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg


def make_sample_video(path: Path, *, seconds: float = 3.0, width: int = 320, height: int = 240) -> Path:
    """An H.264 + AAC MP4 of a test pattern with a tone: enough for mediainfo and thumbnails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"testsrc=size={width}x{height}:rate=25:duration={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=440:duration={seconds}",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        str(path),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return path
