"""The media a harness run sends: a file given on the command line, or one generated to suit the
manifest (a test-pattern video with a tone, a frame or the soundtrack cut from it with the
platform's chunker, or a short English text)."""

from __future__ import annotations

import mimetypes
import subprocess
from dataclasses import dataclass
from pathlib import Path

from api.engines.models import ChunkingSpec, EngineManifest, EngineMode
from medialens.engine_harness.errors import HarnessError
from medialens.sample_media import make_sample_video
from operators.common.failures import OperatorError
from operators.engine.chunking import CutPlan, cut

GENERATED_SECONDS = 3.0
SAMPLE_TEXT = (
    "Medialens runs cognitive engines as workflow operators. This short English text is the sample "
    "a text engine is sent when no media file is given.\n"
)
KINDS = {"video": "Video", "audio": "Audio", "image": "Image", "text": "Text"}


@dataclass(frozen=True)
class Media:
    """A media file as MIE names its kind (Video, Audio, Image, Text), with its MIME type."""

    path: Path
    kind: str
    mime_type: str
    generated: bool = False


def given_media(path: Path) -> Media:
    """The file at `path`, its kind told by its name (`.mp4`, `.wav`, `.jpg`, `.png`, `.txt`, ...)."""
    if not path.is_file():
        raise HarnessError(f"media file not found: {path}")
    mime = mimetypes.guess_type(path.name)[0]
    kind = KINDS.get((mime or "").split("/", 1)[0])
    if mime is None or kind is None:
        raise HarnessError(
            f"cannot tell the media type of {path.name} from its name: use a video, audio, image or "
            "text file name (.mp4, .wav, .jpg, .png, .txt, ...)"
        )
    return Media(path, kind, mime)


def generated_media(mode: EngineMode, manifest: EngineManifest, workdir: Path) -> Media:
    """Media the engine takes: a video when the platform can cut chunks of a type it supports from
    one (chunk engines) or when it takes video; else a JPEG or PNG frame, WAV audio or plain text."""
    takes = manifest.supports
    cut_from_video = ("image/jpeg", "image/png", "audio/wav")  # what the chunker makes of a video
    if takes("video/mp4") or (mode is EngineMode.CHUNK and any(map(takes, cut_from_video))):
        return Media(_video(workdir), "Video", "video/mp4", generated=True)
    for mime, plan in (
        ("image/jpeg", CutPlan("frames", "image/jpeg", ".jpg")),
        ("image/png", CutPlan("frames", "image/png", ".png")),
        ("audio/wav", CutPlan("audio", "audio/wav", ".wav")),
    ):
        if takes(mime):
            try:
                piece = cut(_video(workdir), plan, ChunkingSpec(AudioSegmentSeconds=60), workdir / "cut")[0]
            except OperatorError as exc:
                raise HarnessError(f"cannot generate a sample {mime}: {exc}") from None
            return Media(piece.path, KINDS[mime.split("/")[0]], mime, generated=True)
    if takes("text/plain"):
        path = workdir / "sample.txt"
        path.write_text(SAMPLE_TEXT)
        return Media(path, "Text", "text/plain", generated=True)
    formats = ", ".join(manifest.supportedInputFormats)
    raise HarnessError(f"cannot generate media of a type the manifest takes ({formats}): give --media FILE")


def _video(workdir: Path) -> Path:
    path = workdir / "sample.mp4"
    if not path.exists():
        try:
            make_sample_video(path, seconds=GENERATED_SECONDS)
        except (OSError, subprocess.SubprocessError) as exc:
            raise HarnessError(f"cannot generate a sample video: {exc}") from None
    return path
