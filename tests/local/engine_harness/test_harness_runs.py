"""Passing `medialens engine test` runs and what report.json and merged-vtn.json hold; mistakes on
the command line are one line and exit 1."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest
import requests

from tests.local.engine_harness.conftest import Samples, frame_args, urls, write_manifest
from tests.support.fault_engine import FaultEngine


def test_a_good_chunk_engine_passes_with_every_field_sent(
    medialens: Any, samples: Samples, engine: FaultEngine
) -> None:
    run = medialens(
        "engine", "test", "--manifest", str(samples.chunk_manifest), "--media", str(samples.video),
        *urls(engine), "--fps", "2", "--payload", '{"threshold": 0.5}', "--validation", "strict",
        "--library-id", "lib-1", "--library-engine-model-id", "model-7",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert "engine test passed" in run.out
    report = run.report()
    assert report["passed"] is True and report["failures"] == []
    assert report["engine"]["mode"] == "chunk"
    assert report["summary"] == {
        "chunksSent": 4, "chunksSucceeded": 4, "chunksIgnored": 0, "chunksFailed": 0, "mediaObjects": 0,
        "seriesCount": 4, "objectCount": 0,
    }  # fmt: skip
    assert "4 chunks: 4 succeeded, 0 ignored, 0 failed; merged: 4 series, 0 objects" in run.out
    assert report["media"] == {
        "path": str(samples.video),
        "kind": "Video",
        "mimeType": "video/mp4",
        "generated": False,
    }
    rows = report["rows"]
    assert [(row["name"], row["startMs"], row["endMs"]) for row in rows] == [
        ("chunk 0", 0, 500), ("chunk 1", 500, 1000), ("chunk 2", 1000, 1500), ("chunk 3", 1500, 2000)
    ]  # fmt: skip
    assert all(row["status"] == "SUCCESS" and row["violations"] == 0 and row["objects"] == 1 for row in rows)
    form = engine.forms[0]
    for name in (
        "chunkMimeType", "chunkUUID", "chunkIndex", "startOffsetMS", "endOffsetMS", "width", "height",
        "cacheURI", "payload", "internalJobId", "internalTaskId", "chunkContext", "chunk-metadata-assetId",
        "taskTmpDir", "engineDir", "maxTTL", "libraryId", "libraryEngineModelId", "libraryModelDirectory",
    ):  # fmt: skip
        assert form.get(name), name
    assert form["chunkMimeType"] == "image/jpeg" and (form["width"], form["height"]) == ("320", "240")
    assert json.loads(form["payload"]) == {"threshold": 0.5} and form["chunk.size"] > 1000
    merged = json.loads((run.report_dir / report["mergedVtn"]).read_text())
    assert [item["startTimeMs"] for item in merged["series"]] == [0, 500, 1000, 1500]
    assert merged["sourceEngineName"] == "fault-chunk"


def test_an_engine_ready_after_a_503_passes(medialens: Any, samples: Samples, engine: FaultEngine) -> None:
    engine.ready = "late:1"  # 503 once, then 200: Ready is polled again a second later
    run = medialens(*frame_args(samples, engine))
    assert run.code == 0, run.err
    assert run.report()["ready"]["polls"] == 2 and run.report()["ready"]["ms"] >= 1000


def test_the_cache_uri_serves_the_chunk(medialens: Any, samples: Samples, engine: FaultEngine) -> None:
    """The engine may read `cacheURI` instead of the file: the harness serves it during the run."""
    served: list[int] = []
    original = engine._process

    def fetch_then_answer(request: Any) -> Any:
        served.append(len(requests.get(request.form["cacheURI"], timeout=5).content))
        return original(request)

    engine._process = fetch_then_answer  # type: ignore[method-assign]
    run = medialens(*frame_args(samples, engine))
    assert run.code == 0, run.err
    assert served == [samples.frame.stat().st_size]


@pytest.mark.parametrize("mode", ["stream", "batch"])
def test_a_good_stream_or_batch_engine_passes(
    medialens: Any, samples: Samples, engine: FaultEngine, mode: str, tmp_path: Path
) -> None:
    engine.process = "async-complete"
    if mode == "stream":  # the contract from the command line
        manifest, contract = samples.stream_manifest, ["--contract", "transcript"]
    else:  # the contract from the manifest
        manifest, contract = (
            write_manifest(tmp_path, mode, ["video/*"], validationContracts=["transcript"]),
            [],
        )
    run = medialens(
        "engine", "test", "--manifest", str(manifest), "--media", str(samples.video), *urls(engine),
        "--validation", "strict", *contract,
    )  # fmt: skip
    assert run.code == 0, run.err
    report = run.report()
    task, result = report["rows"]
    assert (task["name"], task["status"], task["series"]) == ("task", "COMPLETE", 1)
    assert "last infoMsg: 1 result" in task["detail"]
    assert (result["name"], result["startMs"], result["endMs"], result["status"]) == (
        "result 0",
        0,
        3000,
        "RESULT",
    )
    assert report["task"]["heartbeats"] == 2 and report["task"]["repeatedResults"] == 1
    assert report["task"]["lastHeartbeat"]["status"] == "complete"
    assert report["validation"] == {"mode": "strict", "contracts": ["transcript"], "problems": []}
    (form,) = engine.forms
    assert form["chunk.size"] is None and form["cacheURI"].startswith("http://127.0.0.1:")
    assert form["heartbeatWebhook"].endswith("/heartbeat") and form["resultWebhook"].endswith("/result")
    assert engine.webhook_statuses == [204, 204, 204, 204]
    merged = json.loads((run.report_dir / "merged-vtn.json").read_text())
    assert merged["series"][0]["words"] == [{"word": "hello"}]
    assert merged["validationContracts"] == ["transcript"]


def test_a_manifest_problem_is_warned_and_a_media_type_it_does_not_take_fails(
    medialens: Any, samples: Samples, engine: FaultEngine, tmp_path: Path
) -> None:
    manifest = write_manifest(tmp_path, "chunk", ["audio/wav"], intialConcurrency=2)
    run = medialens(
        "engine", "test", "--manifest", str(manifest), "--media", str(samples.frame), *urls(engine)
    )
    assert run.code == 1
    assert "warning: manifest: intialConcurrency is the toolkit examples' misspelling" in run.err
    assert "warning: manifest: engineId is missing" in run.err
    (failure,) = run.failures
    assert failure.startswith("the manifest takes no chunk type of Image media"), failure


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--manifest", "missing.json", "--process-url", "http://127.0.0.1:1/p", "--ready-url", "http://x/r"],
         "medialens: manifest not found: missing.json"),
        (["--manifest", "{chunk}", "--process-url", "ftp://host/process", "--ready-url", "http://x/r"],
         "medialens: --process-url must be an absolute http(s) URL, got 'ftp://host/process'"),
        (["--manifest", "{chunk}", "--command", "x", "--payload", "{not json"],
         "medialens: the payload (--payload) is not JSON: Expecting property name enclosed in double quotes"),
        (["--manifest", "{chunk}", "--command", "x", "--payload", "@nowhere.json"],
         "medialens: cannot read the payload file nowhere.json: No such file or directory"),
        (["--manifest", "{chunk}", "--command", "x", "--media", "nowhere.mp4"],
         "medialens: media file not found: nowhere.mp4"),
        (["--manifest", "{bad}", "--command", "x"],
         "medialens: the manifest {bad} is not usable: engineMode: Input should be 'chunk', 'stream'"),
        (["--manifest", "{preferred}", "--command", "x"],
         "medialens: the manifest {preferred}: preferredInputFormat image/png is not in supportedInput"),
        (["--manifest", "{chunk}"],
         "medialens: give the engine: --command CMD, or both --process-url and --ready-url"),
        (["--manifest", "{limited}", "--command", "x", "--concurrency", "9"],
         "medialens: bad setting: Concurrency 9 exceeds the manifest's maxConcurrency 4"),
        (["--manifest", "{chunk}", "--command", "x", "--fps", "0"],
         "medialens: bad setting: Chunking.FramesPerSecond: Input should be greater than 0"),
    ],
    ids=[
        "manifest", "url", "payload", "payload-file", "media", "bad-manifest", "preferred", "engine",
        "concurrency", "fps",
    ],
)  # fmt: skip
def test_a_command_line_mistake_is_one_line_and_exit_1(
    medialens: Any, samples: Samples, tmp_path: Path, args: list[str], message: str
) -> None:
    names = {
        "{chunk}": str(samples.chunk_manifest),
        "{bad}": str(write_manifest(tmp_path, "legacy", ["video/mp4"])),
        "{preferred}": str(
            write_manifest(tmp_path, "stream", ["image/jpeg"], preferredInputFormat="image/png")
        ),
        "{limited}": str(write_manifest(tmp_path, "chunk", ["image/jpeg"], maxConcurrency=4)),
    }
    filled, expected = list(args), message
    for name, value in names.items():
        filled, expected = [a.replace(name, value) for a in filled], expected.replace(name, value)
    run = medialens("engine", "test", *filled)
    assert run.code == 1
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), run.err


@pytest.mark.parametrize(
    ("process", "status", "counted"),
    [("ignore", "IGNORED", "chunksIgnored"), ("ttml", "MEDIA", "mediaObjects")],
)
def test_an_ignored_chunk_or_a_media_answer_passes_and_is_counted(
    medialens: Any, samples: Samples, engine: FaultEngine, process: str, status: str, counted: str
) -> None:
    engine.process = process
    run = medialens(*frame_args(samples, engine))
    assert run.code == 0, run.err
    (row,) = run.report()["rows"]
    assert row["status"] == status and run.report()["summary"][counted] == 1


def test_the_payload_may_come_from_a_file(
    medialens: Any, samples: Samples, engine: FaultEngine, tmp_path: Path
) -> None:
    payload = tmp_path / "payload.json"
    payload.write_text('{"mode": "library-run", "libraryId": "lib-1"}')
    run = medialens(*frame_args(samples, engine, "--payload", f"@{payload}"))
    assert run.code == 0, run.err
    assert json.loads(engine.forms[0]["payload"]) == {"mode": "library-run", "libraryId": "lib-1"}


def test_without_media_a_text_engine_is_sent_a_generated_text(
    medialens: Any, engine: FaultEngine, tmp_path: Path
) -> None:
    engine.process = "async-complete"
    manifest = write_manifest(tmp_path, "batch", ["text/plain"])
    original, texts = engine._process, []

    def read_then_answer(request: Any) -> Any:
        texts.append(requests.get(request.form["cacheURI"], timeout=5).text)
        return original(request)

    engine._process = read_then_answer  # type: ignore[method-assign]
    run = medialens("engine", "test", "--manifest", str(manifest), *urls(engine))
    assert run.code == 0, run.err
    assert run.report()["media"] == {
        "path": None,
        "kind": "Text",
        "mimeType": "text/plain",
        "generated": True,
    }
    assert texts and texts[0].startswith("Medialens runs cognitive engines")


@pytest.mark.parametrize(
    ("formats", "extra", "mime"),
    [
        (["audio/wav"], ["--audio-seconds", "1"], "audio/wav"),
        (["video/mp4"], ["--video", "clips", "--clip-seconds", "1"], "video/mp4"),
    ],
    ids=["audio-segments", "video-clips"],
)
def test_a_chunk_engine_is_sent_the_chunk_type_it_takes(
    medialens: Any,
    samples: Samples,
    engine: FaultEngine,
    tmp_path: Path,
    formats: list[str],
    extra: list[str],
    mime: str,
) -> None:
    manifest = write_manifest(tmp_path, "chunk", formats)
    run = medialens(
        "engine", "test", "--manifest", str(manifest), "--media", str(samples.video), *urls(engine), *extra
    )
    assert run.code == 0, run.err
    spans = [(row["startMs"], row["endMs"]) for row in run.report()["rows"]]
    assert spans == [(0, 1000), (1000, 2000)]
    assert {form["chunkMimeType"] for form in engine.forms} == {mime}
    assert all(form["chunk.size"] > 1000 for form in engine.forms)


def test_similar_frames_are_skipped_when_asked_and_the_kept_frame_spans_them(
    medialens: Any, engine: FaultEngine, samples: Samples, tmp_path: Path
) -> None:
    still = tmp_path / "still.mp4"  # 3 s of one grey picture: every frame like the first
    source = "color=c=gray:s=160x120:r=10:d=3"
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", source]
    subprocess.run([*command, "-c:v", "libx264", "-pix_fmt", "yuv420p", str(still)], check=True, timeout=60)
    run = medialens(
        "engine", "test", "--manifest", str(samples.chunk_manifest), "--media", str(still), *urls(engine),
        "--skip-similar-frames",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert [(row["startMs"], row["endMs"]) for row in run.report()["rows"]] == [(0, 3000)]
