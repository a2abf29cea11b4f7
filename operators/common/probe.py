"""What libmediainfo (bundled with pymediainfo) reads from a media file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymediainfo import MediaInfo, Track

from operators.common.failures import OperatorError


@dataclass(frozen=True)
class VideoFacts:
    """The first video track's main properties; a value the file does not state is None."""

    duration_seconds: float | None
    width: int | None
    height: int | None
    codec: str | None
    frame_rate: float | None

    def as_metadata(self) -> dict[str, Any]:
        facts = {
            "DurationSeconds": self.duration_seconds,
            "Width": self.width,
            "Height": self.height,
            "VideoCodec": self.codec,
            "FrameRate": self.frame_rate,
        }
        return {key: value for key, value in facts.items() if value is not None}


@dataclass(frozen=True)
class Probe:
    tracks: list[dict[str, Any]]
    video: VideoFacts


def probe_video(path: Path) -> Probe:
    """Every track's data and the video facts; `OperatorError` if the file has no video track."""
    try:
        info = MediaInfo.parse(path)
    except (OSError, RuntimeError, ValueError) as exc:
        raise OperatorError(f"mediainfo cannot read the input: {exc}") from exc
    if not isinstance(info, MediaInfo):  # parse() returns text only when asked for with output=
        raise OperatorError("mediainfo returned text instead of track data")
    videos = info.video_tracks
    if not videos:
        kinds = ", ".join(track.track_type for track in info.tracks) or "none"
        raise OperatorError(f"the input is not a video: no video track (tracks found: {kinds})")
    general = info.general_tracks[0] if info.general_tracks else None
    return Probe([track.to_data() for track in info.tracks], _facts(videos[0], general))


def _facts(video: Track, general: Track | None) -> VideoFacts:
    duration_ms = _number(video.duration)
    if duration_ms is None and general is not None:
        duration_ms = _number(general.duration)
    width, height = _number(video.width), _number(video.height)
    return VideoFacts(
        duration_seconds=None if duration_ms is None else round(duration_ms / 1000, 3),
        width=None if width is None else int(width),
        height=None if height is None else int(height),
        codec=str(video.format) if video.format else None,
        frame_rate=_number(video.frame_rate),
    )


def _number(value: Any) -> float | None:
    """libmediainfo states numbers as int, float or a decimal string; anything else is unknown."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and number >= 0 else None  # drops NaN
