"""The local Discover and asset pages in a real browser: Debian's Chromium driven by Playwright.

A completed `MediaAnalysisWorkflow` on a generated video gives the asset its media and an
execution; an operator's VTN result stored through the dataplane API (faces with boxes, transcript
words) gives it findings, which reach the index through the stream as every result does.
Screenshots go to the test's temporary folder.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from medialens_helper import DataPlane, HttpTransport
from playwright.sync_api import Browser, Page, expect

from medialens.sample_media import make_sample_video
from tests.local.workflows.platform_client import RunningPlatform, started_platform
from tests.support.browser import chromium

pytestmark = pytest.mark.local

FACES = {
    "series": [
        {
            "startTimeMs": 1000,
            "stopTimeMs": 1500,
            "object": {
                "type": "face",
                "confidence": 0.91,
                "boundingPoly": [
                    {"x": 0.2, "y": 0.2},
                    {"x": 0.6, "y": 0.2},
                    {"x": 0.6, "y": 0.7},
                    {"x": 0.2, "y": 0.7},
                ],
            },
        }
    ]
}
WORDS = {
    "series": [
        {"startTimeMs": 200, "stopTimeMs": 600, "words": [{"word": "welcome", "confidence": 0.9}]},
        {"startTimeMs": 2000, "stopTimeMs": 2400, "words": [{"word": "platform", "confidence": 0.8}]},
    ]
}


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    with started_platform(tmp_path_factory.mktemp("platform"), serve_inspection=True) as platform:
        yield platform


@pytest.fixture(scope="module")
def asset(running: RunningPlatform, tmp_path_factory: pytest.TempPathFactory) -> str:
    video = tmp_path_factory.mktemp("media") / "sample.mp4"
    make_sample_video(video)
    media = running.upload(video.read_bytes())
    done = running.api.wait(running.api.start("MediaAnalysisWorkflow", media)["Id"], timeout=120)
    assert done["Status"] == "Complete", done
    asset_id = str(done["AssetId"])
    credentials = running.platform.state.credentials()
    session = boto3.Session(
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        region_name=credentials.region,
    )
    dataplane = DataPlane(HttpTransport(running.endpoints.dataplane_api, session=session))
    dataplane.store_asset_metadata(asset_id, "FaceFinder", done["Id"], FACES)
    dataplane.store_asset_metadata(asset_id, "Transcriber", done["Id"], WORDS)
    _wait_indexed(running, asset_id, count=3)
    return asset_id


def _wait_indexed(running: RunningPlatform, asset_id: str, *, count: int, timeout: float = 60.0) -> None:
    url = f"{running.endpoints.inspect_url}/search/findings.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = requests.get(url, params={"asset_id": asset_id, "_shape": "array"}, timeout=10).json()
        if len(rows) >= count:
            return
        time.sleep(0.3)
    raise AssertionError(f"the findings of {asset_id} did not reach the index in {timeout} s")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, tmp_path: Path) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    opened = context.new_page()
    yield opened
    opened.screenshot(path=str(tmp_path / "last-page.png"), full_page=True)
    context.close()


def test_discover_finds_a_stored_result_and_a_facet_narrows_it(
    running: RunningPlatform, asset: str, page: Page, tmp_path: Path
) -> None:
    page.goto(f"{running.endpoints.inspect_url}/search/findings")
    page.fill("form.medialens-search input[name=_q]", "welcome OR face")
    page.click("form.medialens-search input[type=submit]")
    rows = page.locator("table.rows-and-columns tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("mark", has_text="welcome")).to_have_count(1)
    page.screenshot(path=str(tmp_path / "discover-search.png"), full_page=True)

    page.locator(".facet-info a", has_text="FaceFinder").first.click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("face")
    assert "operator=FaceFinder" in page.url and "_q=welcome" in page.url

    expect(page.locator("form.medialens-search input[name=_q]")).to_have_value("welcome OR face")
    page.locator("a.document-link").first.click()
    expect(page.locator("table.rows-and-columns tbody tr")).to_have_count(1)
    expect(page.locator("table.rows-and-columns")).to_contain_text('"Operator":"FaceFinder"')
    page.go_back()

    page.locator("a.asset-link").first.click()
    expect(page.locator("#asset-id")).to_have_text(asset)


def test_a_time_range_keeps_the_findings_that_start_inside_it(
    running: RunningPlatform, asset: str, page: Page
) -> None:
    page.goto(f"{running.endpoints.inspect_url}/search/findings?asset_id={asset}")
    page.fill("form.medialens-search input[name=_from]", "0.9")
    page.fill("form.medialens-search input[name=_to]", "2.5")
    page.click("form.medialens-search input[type=submit]")
    rows = page.locator("table.rows-and-columns tbody tr")
    expect(rows).to_have_count(2)  # the face at 1.0 s and "platform" at 2.0 s, not "welcome" at 0.2 s
    expect(page.locator("table.rows-and-columns")).not_to_contain_text("welcome")


def test_a_query_discover_cannot_read_shows_no_rows_and_says_so(running: RunningPlatform, page: Page) -> None:
    page.goto(f"{running.endpoints.inspect_url}/search/findings?_q=%22unclosed")
    expect(page.locator("table.rows-and-columns tbody tr")).to_have_count(0)
    expect(page.locator("body")).to_contain_text("cannot be read")


def test_the_asset_page_plays_the_media_shows_findings_and_a_click_seeks(
    running: RunningPlatform, asset: str, page: Page, tmp_path: Path
) -> None:
    page.goto(f"{running.endpoints.inspect_url}/-/asset/{asset}")
    video = page.locator("video#media")
    expect(video).to_have_count(1)
    page.wait_for_function("document.querySelector('video#media').readyState >= 1", timeout=20_000)
    duration: Any = page.evaluate("document.querySelector('video#media').duration")
    assert 2.5 < duration < 3.5

    expect(page.locator("#executions")).to_contain_text("MediaAnalysisWorkflow")
    expect(page.locator("#executions")).to_contain_text("Complete")
    tracks = page.locator(".track")
    expect(tracks).to_have_count(2)
    expect(page.locator(".track[data-operator=Transcriber] .finding")).to_have_count(2)

    page.locator(".track[data-operator=FaceFinder] .finding").first.click()
    page.wait_for_function("Math.abs(document.querySelector('video#media').currentTime - 1.0) < 0.05")
    expect(page.locator("#box")).to_be_visible()
    expect(page.locator("#selected")).to_contain_text("FaceFinder: face")
    page.screenshot(path=str(tmp_path / "asset-page.png"), full_page=True)

    page.locator("#discover-link").click()
    expect(page.locator("table.rows-and-columns tbody tr")).to_have_count(3)


def test_an_unknown_asset_is_a_404_saying_so(running: RunningPlatform) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    answer = requests.get(f"{running.endpoints.inspect_url}/-/asset/{unknown}", timeout=30)
    assert answer.status_code == 404
    assert f"no asset {unknown}" in answer.text


def test_inspection_pages_are_served_on_loopback_only_and_refuse_writes(running: RunningPlatform) -> None:
    base = running.endpoints.inspect_url
    assert base.startswith("http://127.0.0.1:")
    answer = requests.post(
        f"{base}/search/-/query", data={"sql": "DELETE FROM findings"}, timeout=10, allow_redirects=False
    )
    assert answer.status_code in (400, 403, 405)
    still = requests.get(f"{base}/search/findings.json", params={"_shape": "array"}, timeout=10).json()
    assert len(still) >= 3
    assert requests.get(f"{base}/-/asset/..%2f..%2fetc", timeout=10).status_code in (400, 404)
