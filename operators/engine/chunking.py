"""Cutting the input into the chunks a chunk engine is sent, with the ffmpeg imageio-ffmpeg bundles.

Video: frames at N per second (JPEG, or PNG when the manifest prefers it) or clips of N seconds
(H.264 MP4); a video whose engine takes only audio is sent its soundtrack in segments. Audio:
segments of N seconds (16 kHz mono WAV). Image and text: the file whole. Offsets are ms from the
start of the asset (frame `i` at `fps` spans `[i*1000/fps, (i+1)*1000/fps)`, as the toolkit's
`media_chunk` messages do).
"""

from __future__ import annotations

import math
import mimetypes
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
from pymediainfo import MediaInfo

from api.engines.models import ChunkingSpec, EngineManifest
from operators.common.failures import OperatorError

FFMPEG_TIMEOUT_SECONDS = 600
_STDERR_TAIL = 400


@dataclass(frozen=True)
class CutPlan:
    """How to cut: `frames`, `clips`, `audio` or `whole`, into chunks of `mime_type`."""

    method: str
    mime_type: str
    suffix: str


@dataclass(frozen=True)
class Piece:
    path: Path
    start_ms: int
    end_ms: int
    width: int = 0
    height: int = 0


def choose_cut(
    media_kind: str, source_key: str, chunking: ChunkingSpec, manifest: EngineManifest
) -> CutPlan | None:
    """The first way of cutting whose chunk type the manifest supports (its preferred one first)."""
    audio = CutPlan("audio", "audio/wav", ".wav")
    candidates: list[CutPlan]
    if media_kind == "Video":
        pictures = (
            [CutPlan("frames", "image/jpeg", ".jpg"), CutPlan("frames", "image/png", ".png")]
            if chunking.Video == "frames"
            else [CutPlan("clips", "video/mp4", ".mp4")]
        )
        candidates = [*pictures, audio]
    elif media_kind == "Audio":
        candidates = [audio]
    elif media_kind == "Image":
        candidates = [CutPlan("whole", mimetypes.guess_type(source_key)[0] or "image/jpeg", "")]
    else:
        candidates = [CutPlan("whole", mimetypes.guess_type(source_key)[0] or "text/plain", "")]
    supported = [plan for plan in candidates if manifest.supports(plan.mime_type)]
    preferred = [plan for plan in supported if plan.mime_type == manifest.preferredInputFormat]
    chosen = preferred or supported
    return chosen[0] if chosen else None


def cut(source: Path, plan: CutPlan, chunking: ChunkingSpec, workdir: Path) -> list[Piece]:
    """The pieces of `source`, in time order, written under `workdir`."""
    duration_ms, width, height = probe(source)
    if plan.method == "whole":
        return [Piece(source, 0, duration_ms, width, height)]
    out = workdir / "chunks"
    out.mkdir(parents=True, exist_ok=True)
    pattern = str(out / f"chunk-%06d{plan.suffix}")
    if plan.method == "frames":
        return _frames(source, plan, chunking, out, (duration_ms, width, height))
    seconds = chunking.ClipSeconds if plan.method == "clips" else chunking.AudioSegmentSeconds
    if plan.method == "clips":
        codec = [
            "-an",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-pix_fmt",
            "yuv420p",
            "-force_key_frames",
            f"expr:gte(t,n_forced*{seconds})",
        ]
    else:
        codec = ["-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le"]
        width = height = 0
    _ffmpeg(
        [
            "-i",
            str(source),
            *codec,
            "-f",
            "segment",
            "-segment_time",
            str(seconds),
            "-reset_timestamps",
            "1",
            "-segment_start_number",
            "0",
            pattern,
        ]
    )
    files = sorted(out.glob(f"chunk-*{plan.suffix}"))
    step = seconds * 1000
    return [
        Piece(path, i * step, _end((i + 1) * step, duration_ms, i * step), width, height)
        for i, path in enumerate(files)
    ]


def _frames(
    source: Path, plan: CutPlan, chunking: ChunkingSpec, out: Path, facts: tuple[int, int, int]
) -> list[Piece]:
    """Frames at `fps`, each file named by its index at that rate (`-frame_pts`): a frame the
    selection drops leaves a gap, and the kept ones keep their times."""
    duration_ms, width, height = facts
    fps = chunking.FramesPerSecond
    filters = [f"fps={fps:g}"]
    if chunking.SkipSimilarFrames:
        filters.append("mpdecimate")
    if chunking.MaxBlur is not None:
        select = f"metadata=mode=select:key=lavfi.blur:value={chunking.MaxBlur:g}:function=less"
        filters += ["blurdetect", select]
    codec = ["-c:v", "mjpeg", "-q:v", "3"] if plan.suffix == ".jpg" else ["-c:v", "png"]
    pattern = str(out / f"chunk-%06d{plan.suffix}")
    vf = ",".join(filters)
    _ffmpeg(
        ["-i", str(source), "-an", "-vf", vf, "-fps_mode", "passthrough", *codec, "-frame_pts", "1", pattern]
    )
    step = 1000 / fps
    files = sorted(out.glob(f"chunk-*{plan.suffix}"))
    indexes = [int(path.stem.split("-")[1]) for path in files]
    # Frames mpdecimate dropped were near-identical to the last one kept: that frame stands for
    # them, so its span runs to the next kept frame. A frame dropped as blurred stands for nothing.
    stands_for_skipped = chunking.SkipSimilarFrames and chunking.MaxBlur is None
    pieces = []
    for position, (path, index) in enumerate(zip(files, indexes, strict=True)):
        start = round(index * step)
        following = indexes[position + 1] if position + 1 < len(indexes) else None
        if stands_for_skipped:
            end = round(following * step) if following is not None else max(duration_ms, start)
        else:
            end = round((index + 1) * step)
        pieces.append(Piece(path, start, _end(end, duration_ms, start), width, height))
    return pieces


def frames_at_rate(duration_ms: int, fps: float) -> int:
    """How many frames `fps` gives over `duration_ms` (one at 0, then every 1/fps s)."""
    return max(1, math.ceil(duration_ms * fps / 1000 - 1e-9))


def _end(end_ms: int, duration_ms: int, start_ms: int) -> int:
    """A chunk ends at its nominal end or the media's, never before it starts."""
    if duration_ms <= 0:
        return end_ms
    return max(start_ms, min(end_ms, duration_ms))


def probe(source: Path) -> tuple[int, int, int]:
    """Duration (ms, 0 if unknown), width and height (0 if none) as libmediainfo reads them."""
    try:
        info = MediaInfo.parse(source)
    except (OSError, RuntimeError, ValueError) as exc:
        raise OperatorError(f"mediainfo cannot read the input: {exc}") from exc
    if not isinstance(info, MediaInfo):
        raise OperatorError("mediainfo returned text instead of track data")
    duration = 0.0
    for track in info.tracks:
        if track.track_type in ("General", "Video", "Audio") and track.duration:
            duration = max(duration, float(track.duration))
    pictures = info.video_tracks or info.image_tracks
    width = int(pictures[0].width or 0) if pictures else 0
    height = int(pictures[0].height or 0) if pictures else 0
    return round(duration), width, height


def _ffmpeg(arguments: list[str]) -> None:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    try:
        subprocess.run(
            [*command, *arguments], check=True, capture_output=True, timeout=FFMPEG_TIMEOUT_SECONDS
        )
    except subprocess.CalledProcessError as exc:
        tail = exc.stderr.decode("utf-8", "replace")[-_STDERR_TAIL:].strip()
        raise OperatorError(f"ffmpeg could not cut the input into chunks: {tail}") from exc
    except subprocess.TimeoutExpired as exc:
        raise OperatorError(f"ffmpeg took longer than {FFMPEG_TIMEOUT_SECONDS} s to cut the input") from exc
