"""Real media with known content, made at test time: a photograph with a face (scikit-image's
astronaut), text drawn by OpenCV, speech by espeak-ng, and a video with hard cuts, black frames
and a silence (ffmpeg's lavfi sources)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np
import skimage.data

SENTENCE = "hello and welcome to the news at six. the weather is cold today."


def astronaut_jpeg() -> bytes:
    """512 x 512; Eileen Collins's face is at about x 0.35-0.53, y 0.13-0.31."""
    image = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    return bytes(cv2.imencode(".jpg", image)[1])


def blank_png(width: int = 640, height: int = 360) -> bytes:
    return bytes(cv2.imencode(".png", np.full((height, width, 3), 90, dtype=np.uint8))[1])


def text_png(lines: list[str]) -> bytes:
    """Black text on white, one line per 90 pixels, 720 pixels wide."""
    image = np.full((90 * len(lines) + 40, 720, 3), 255, dtype=np.uint8)
    for index, line in enumerate(lines):
        cv2.putText(image, line, (30, 80 + 90 * index), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (0, 0, 0), 4)
    return bytes(cv2.imencode(".png", image)[1])


def _ffmpeg(*arguments: str) -> None:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *arguments]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def speech_mp4(directory: Path) -> bytes:
    """`SENTENCE` spoken by espeak-ng (about 7 s), AAC in an MP4 over a still blue picture."""
    wav, mp4 = directory / "speech.wav", directory / "speech.mp4"
    espeak = ["espeak-ng", "-v", "en-us+f2", "-s", "120", "-g", "6", "-w", str(wav), SENTENCE]
    subprocess.run(espeak, check=True, capture_output=True, timeout=60)
    _ffmpeg(
        *("-f", "lavfi", "-i", "color=c=blue:s=320x240:r=10", "-i", str(wav)),
        *("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(mp4)),
    )
    return mp4.read_bytes()


def cuts_mp4(directory: Path) -> bytes:
    """4 s at 10 frames per second: black (0-1 s), a test pattern (1-2.5 s), red (2.5-4 s);
    silence for the first 1.5 s, then a tone. Hard cuts at 1 s and 2.5 s: the first shot is 10
    frames long (shorter than ContentDetector's default minimum of 15 frames)."""
    path = directory / "cuts.mp4"
    sources = [
        "color=c=black:s=320x240:r=10:d=1",
        "testsrc=s=320x240:r=10:d=1.5",
        "color=c=red:s=320x240:r=10:d=1.5",
        "anullsrc=r=16000:cl=mono:d=1.5",
        "sine=f=440:r=16000:d=2.5",
    ]
    graph = "[0:v][1:v][2:v]concat=n=3:v=1:a=0[v];[3:a][4:a]concat=n=2:v=0:a=1[a]"
    _ffmpeg(
        *[argument for source in sources for argument in ("-f", "lavfi", "-i", source)],
        *("-filter_complex", graph, "-map", "[v]", "-map", "[a]"),
        *("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)),
    )
    return path.read_bytes()


def undecodable() -> bytes:
    """Bytes that look like nothing ffmpeg reads (fixed, not random: a test must be repeatable)."""
    return b"not a media file " * 512
