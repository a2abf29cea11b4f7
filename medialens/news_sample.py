"""The main job's sample video: a short newscast with real content for the engines to find.

Shots (640x360, 10 frames per second, H.264 + AAC):

| time | picture | sound |
|---|---|---|
| 0-4 s | scikit-image's astronaut photograph (a face), a banner reading `MEDIALENS NEWS`| the sentence |
| 4-5 s | black | silence |
| 5-8 s | a grey card reading `WEATHER REPORT` | silence |

The sentence is spoken by espeak-ng (`en-us+f2` at 120 words a minute with 60 ms between words:
of the voices and rates tried, the one PocketSphinx's en-US model transcribes word for word after
AAC coding), starting at 0.5 s. What a correct analysis finds is in `NewsSample`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np
from skimage import data

WIDTH, HEIGHT, FPS = 640, 360, 10
SPEECH_START_SECONDS = 0.5
ESPEAK_VOICE = ("-v", "en-us+f2", "-s", "120", "-g", "6")


@dataclass(frozen=True)
class NewsSample:
    """What the sample holds, for checking an analysis of it. Times in seconds."""

    sentence: str = "hello and welcome to the news at six. the weather is cold today."
    headline: str = "MEDIALENS NEWS"
    card: str = "WEATHER REPORT"
    face_span: tuple[float, float] = (0.0, 4.0)
    face_centre: tuple[float, float] = (0.47, 0.18)  # relative to the frame: the astronaut's nose
    black_span: tuple[float, float] = (4.0, 5.0)
    cut_at: float = 5.0  # the hard cut from black to the card (and 4.0, into black)
    seconds: float = 8.0

    @property
    def words(self) -> list[str]:
        return [word.strip(".,") for word in self.sentence.split()]


class SampleMediaError(Exception):
    """The sample could not be made (espeak-ng missing, ffmpeg failing); the message says why."""


def make_news_video(path: Path, sample: NewsSample = NewsSample()) -> Path:
    """Write the sample to `path` (MP4); raises SampleMediaError."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise SampleMediaError("espeak-ng is not installed (make setup installs it)")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="medialens-sample-") as workdir:
        speech = Path(workdir) / "speech.wav"
        _run([espeak, *ESPEAK_VOICE, "-w", str(speech), sample.sentence])
        delay_ms = int(SPEECH_START_SECONDS * 1000)
        soundtrack = [
            "-i",
            str(speech),
            "-filter_complex",
            f"[1:a]adelay={delay_ms}:all=1,apad[a]",
            "-map",
            "0:v",
            "-map",
            "[a]",
            "-c:a",
            "aac",
            "-ar",
            "44100",
            "-t",
            str(sample.seconds),
        ]
        encode_frames(_frames(sample), path, soundtrack)
    return path


def encode_frames(frames: Iterable[np.ndarray], path: Path, extra: Sequence[str] = ()) -> Path:
    """H.264 MP4 of BGR frames (HEIGHT x WIDTH at FPS); `extra`: ffmpeg arguments after the frames'
    input (more inputs, maps, codecs). Raises SampleMediaError."""
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "bgr24",
        "-s",
        f"{WIDTH}x{HEIGHT}",
        "-r",
        str(FPS),
        "-i",
        "-",
        *extra,
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        str(path),
    ]
    _run(command, stdin=b"".join(frame.tobytes() for frame in frames))
    return path


def _frames(sample: NewsSample) -> list[np.ndarray]:
    face = astronaut_shot(sample.headline)
    black = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    card = np.full((HEIGHT, WIDTH, 3), 96, np.uint8)
    _caption(card, sample.card, HEIGHT // 2)
    frames = []
    for index in range(int(sample.seconds * FPS)):
        at = index / FPS
        frames.append(face if at < sample.black_span[0] else black if at < sample.cut_at else card)
    return frames


def astronaut_shot(headline: str) -> np.ndarray:
    """The first shot's picture (BGR, HEIGHT x WIDTH): the photograph above a banner reading `headline`."""
    picture = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    side = HEIGHT - 70  # the photograph above a banner
    frame = np.full((HEIGHT, WIDTH, 3), 32, np.uint8)
    left = (WIDTH - side) // 2
    frame[:side, left : left + side] = cv2.resize(picture, (side, side), interpolation=cv2.INTER_AREA)
    frame[side:] = (255, 255, 255)
    _caption(frame, headline, side + 50, colour=(0, 0, 0))
    return frame


def _caption(
    frame: np.ndarray, text: str, baseline: int, colour: tuple[int, int, int] = (255, 255, 255)
) -> None:
    font, scale, thickness = cv2.FONT_HERSHEY_DUPLEX, 1.4, 3
    (width, _), _ = cv2.getTextSize(text, font, scale, thickness)
    cv2.putText(frame, text, ((WIDTH - width) // 2, baseline), font, scale, colour, thickness, cv2.LINE_AA)


def _run(command: list[str], stdin: bytes | None = None) -> None:
    try:
        subprocess.run(command, input=stdin, check=True, capture_output=True, timeout=120)
    except subprocess.CalledProcessError as exc:
        reason = exc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {exc.returncode}"]
        raise SampleMediaError(f"{Path(command[0]).name} failed: {reason[0]}") from exc
