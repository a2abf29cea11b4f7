"""`medialens run` (what `make run` calls): the main job, and its one-line failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.local.cli.cli_process import awscurl, cli, exported, start, stop

pytestmark = pytest.mark.local


def test_run_analyses_a_sample_video_and_exits_zero(tmp_path: Path) -> None:
    home = tmp_path / "state"
    result = cli(home, "run")
    output = result.stdout
    assert result.returncode == 0, output + result.stderr
    assert "local platform ready" in output
    assert "execution Complete" in output
    for operator in ("Mediainfo", "Thumbnail"):
        assert f"│ {operator}" in output and "│ Complete" in output
    assert "VideoCodec=AVC" in output  # read back from what Mediainfo stored
    assert "run complete" in output
    assert cli(home, "status").returncode == 1  # the platform it started stopped with it


def test_run_fails_in_one_line_when_an_operator_it_needs_is_missing(tmp_path: Path) -> None:
    home = tmp_path / "state"
    process = start(home)
    try:
        env = {**os.environ, **exported(home)}
        # The library's workflow and stage use it: they go first, as the API requires.
        for path in (
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
    assert message.startswith("medialens: run failed:") and "Thumbnail" in message
