"""`medialens run` (what `make run` calls): the main job on real engines, what a newcomer then sees
in a browser, and the job's one-line failure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from medialens.state import StateDir
from tests.local.cli.cli_process import cli, start, stop
from tests.support.browser import chromium

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
    assets = re.findall(r"/-/asset/([0-9a-f-]{36})", output)
    assert assets, output
    _newcomer_inspects(home, assets[-1], tmp_path)


def _newcomer_inspects(home: Path, asset_id: str, screenshots: Path) -> None:
    """As `run` says: start the platform again, open the asset page and Discover in a browser."""
    process = start(home)
    try:
        endpoints = StateDir(home).read_endpoints()
        assert endpoints is not None and endpoints.inspect_url
        with chromium() as browser:
            page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
            page.goto(f"{endpoints.inspect_url}/-/asset/{asset_id}")
            for operator in ("Transcription", "FaceDetection", "TextDetection"):
                expect(page.locator(f".track[data-operator={operator}] .finding").first).to_be_visible()
            page.locator(".track[data-operator=FaceDetection] .finding").first.click()
            expect(page.locator("#box")).to_be_visible()
            page.screenshot(path=str(screenshots / "newcomer-asset.png"), full_page=True)
            page.goto(f"{endpoints.inspect_url}/search/findings?asset_id={asset_id}")
            page.fill("form.medialens-search input[name=_q]", "welcome OR medialens")
            page.click("form.medialens-search input[type=submit]")
            table = page.locator("table.rows-and-columns")
            expect(table).to_contain_text("Transcription")
            expect(table).to_contain_text("TextDetection")
            page.screenshot(path=str(screenshots / "newcomer-discover.png"), full_page=True)
    finally:
        stop(home, process)


def test_run_fails_in_one_line_when_an_operator_it_needs_is_missing(tmp_path: Path) -> None:
    # No sample engine hosted: the video workflow's engine operators are not registered.
    result = cli(tmp_path / "state", "run", engines="none")

    assert result.returncode == 1
    message = result.stderr.strip()
    assert message.count("\n") == 0, message
    assert message.startswith("medialens: run failed: operators not registered:")
    assert "FaceDetection" in message and "Transcription" in message and "Thumbnail" not in message
