"""Cutting real media with the bundled ffmpeg: frames, clips, audio segments, whole files."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest

from api.engines.models import ChunkingSpec, EngineManifest
from medialens.sample_media import make_sample_video
from operators.engine.chunking import choose_cut, cut, frames_at_rate


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample_video(tmp_path_factory.mktemp("media") / "sample.mp4", seconds=3)


def manifest(*formats: str, **extra: Any) -> EngineManifest:
    return EngineManifest.model_validate(
        {"engineMode": "chunk", "supportedInputFormats": list(formats), **extra}
    )


def test_frames_at_n_per_second_span_their_share_of_the_asset(video: Path, tmp_path: Path) -> None:
    chunking = ChunkingSpec(FramesPerSecond=2)
    how = choose_cut("Video", "a.mp4", chunking, manifest("image/jpeg"))
    assert how is not None and how.mime_type == "image/jpeg"
    pieces = cut(video, how, chunking, tmp_path)
    assert [(p.start_ms, p.end_ms) for p in pieces] == [(i * 500, i * 500 + 500) for i in range(6)]
    assert {(p.width, p.height) for p in pieces} == {(320, 240)}
    assert pieces[0].path.read_bytes()[:2] == b"\xff\xd8"


def test_the_preferred_format_wins_and_audio_serves_an_audio_only_engine(video: Path, tmp_path: Path) -> None:
    chunking = ChunkingSpec(AudioSegmentSeconds=1)
    png = choose_cut("Video", "a.mp4", chunking, manifest("image/*", preferredInputFormat="image/png"))
    assert png is not None and png.mime_type == "image/png"
    audio = choose_cut("Video", "a.mp4", chunking, manifest("audio/wav"))
    assert audio is not None and audio.method == "audio"
    pieces = cut(video, audio, chunking, tmp_path)
    assert [(p.start_ms, p.end_ms) for p in pieces] == [(0, 1000), (1000, 2000), (2000, 3000)]
    assert pieces[0].path.read_bytes()[:4] == b"RIFF" and pieces[0].width == 0


def test_clips_of_n_seconds(video: Path, tmp_path: Path) -> None:
    chunking = ChunkingSpec(Video="clips", ClipSeconds=2)
    how = choose_cut("Video", "a.mp4", chunking, manifest("video/mp4"))
    assert how is not None
    pieces = cut(video, how, chunking, tmp_path)
    assert [(p.start_ms, p.end_ms) for p in pieces] == [(0, 2000), (2000, 3000)]


def test_images_and_text_go_whole_and_unsupported_media_has_no_cut() -> None:
    image = choose_cut("Image", "photo.png", ChunkingSpec(), manifest("image/png"))
    assert image is not None and (image.method, image.mime_type) == ("whole", "image/png")
    text = choose_cut("Text", "notes.txt", ChunkingSpec(), manifest("text/plain"))
    assert text is not None and text.method == "whole"
    assert choose_cut("Video", "a.mp4", ChunkingSpec(), manifest("text/plain")) is None


def _video(path: Path, source: str) -> Path:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"]
    subprocess.run([*command, "-i", source, "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def test_similar_frames_are_skipped_and_the_kept_ones_keep_their_times(tmp_path: Path) -> None:
    still = _video(tmp_path / "still.mp4", "color=c=blue:size=160x120:rate=25:duration=3")
    chunking = ChunkingSpec(FramesPerSecond=2, SkipSimilarFrames=True)
    how = choose_cut("Video", "still.mp4", chunking, manifest("image/jpeg"))
    assert how is not None
    pieces = cut(still, how, chunking, tmp_path / "out")
    # The one frame kept stands for the near-identical ones skipped after it: the whole video.
    assert [(p.start_ms, p.end_ms) for p in pieces] == [(0, 3000)]
    assert frames_at_rate(3000, 2) == 6


def test_a_kept_frame_spans_the_similar_frames_up_to_the_next_kept_one(tmp_path: Path) -> None:
    red_from_half_way = "drawbox=w=160:h=120:color=red:t=fill:enable='gte(t,1.5)'"
    source = f"color=c=blue:size=160x120:rate=25:duration=3,{red_from_half_way}"
    two_scenes = _video(tmp_path / "scenes.mp4", source)
    chunking = ChunkingSpec(FramesPerSecond=2, SkipSimilarFrames=True)
    how = choose_cut("Video", "scenes.mp4", chunking, manifest("image/jpeg"))
    assert how is not None
    pieces = cut(two_scenes, how, chunking, tmp_path / "out")
    assert [(p.start_ms, p.end_ms) for p in pieces] == [(0, 1500), (1500, 3000)]


def test_blurred_frames_are_skipped(tmp_path: Path) -> None:
    # Sharp for 1.5 s, then blurred: blurdetect scores about 5, then about 28.
    source = "testsrc=size=320x240:rate=25:duration=3,boxblur=luma_radius=10:enable='gte(t,1.5)'"
    half_blurred = _video(tmp_path / "blur.mp4", source)
    chunking = ChunkingSpec(FramesPerSecond=2, MaxBlur=10)
    how = choose_cut("Video", "blur.mp4", chunking, manifest("image/jpeg"))
    assert how is not None
    pieces = cut(half_blurred, how, chunking, tmp_path / "out")
    assert [p.start_ms for p in pieces] == [0, 500, 1000]
