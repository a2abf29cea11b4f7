"""`medialens run` (what `make run` calls): the main job on real engines, and its one-line failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.local.cli.cli_process import awscurl, cli, exported, start, stop

pytestmark = pytest.mark.local

RUN_SECONDS = 300  # the job's own limit is 4 minutes of workflow; a loaded CI machine is slow


@pytest.mark.timeout(RUN_SECONDS + 60)
def test_run_analyses_the_newscast_with_the_sample_engines_and_exits_zero(tmp_path: Path) -> None:
    home = tmp_path / "state"
    result = cli(home, "run", engines=None, timeout=RUN_SECONDS)
    output = result.stdout
    assert result.returncode == 0, output + result.stderr
    for engine in ("faces", "text", "transcription", "keywords", "shots", "signals"):
        assert f"engine {engine} on http://127.0.0.1:" in output and "ready in" in output
    assert "execution Complete" in output
    assert "VideoCodec=AVC" in output  # read back from what Mediainfo stored
    # What the engines found, as read back through the dataplane API and printed.
    assert "MEDIALENS NEWS" in output and "WEATHER REPORT" in output
    assert "welcome to the news" in output
    for check in ("the sentence is mostly recognised", "the face is found", "the burnt-in text is read"):
        assert check in output
    assert "FAIL" not in output
    assert "run complete" in output
    assert cli(home, "status").returncode == 1  # the platform it started stopped with it


def test_run_fails_in_one_line_when_an_operator_it_needs_is_missing(tmp_path: Path) -> None:
    home = tmp_path / "state"
    process = start(home)  # no sample engines: their operators are missing too
    try:
        env = {**os.environ, **exported(home)}
        # The library's workflows and stage use it: they go first, as the API requires.
        for path in (
            "/workflow/VideoWorkflow",
            "/workflow/MediaAnalysisWorkflow",
            "/workflow/stage/MediaAnalysis",
            "/workflow/operation/Thumbnail",
        ):
            code, out = awscurl(env, "-X", "DELETE", f"{env['WORKFLOW_API_ENDPOINT']}{path}")
            assert code == 0, out
        result = cli(home, "run")  # uses the running platform
    finally:
        stop(home, process)
    assert result.returncode == 1
    message = result.stderr.strip()
    assert message.count("\n") == 0, message
    assert message.startswith("medialens: run failed: operators not registered:")
    assert "Thumbnail" in message and "FaceDetection" in message and "Transcription" in message
