"""`medialens engine console` in a real browser: Debian's Chromium, headless, driven by Playwright
(never a browser download). The form's fields reach the engine's /process, the answer comes back
pretty-printed with its VTN verdict, and a faulty engine's error is shown. Screenshots go to the
test's temporary folder."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from medialens.engine_harness.console_app import ConsoleServer, ConsoleSettings
from tests.local.engine_harness.conftest import Samples
from tests.support.browser import chromium
from tests.support.fault_engine import FaultEngine, started_engine

LOADED_MACHINE_MS = 20_000  # waits that span several of the page's 1 s polls, on a busy machine


@pytest.fixture(scope="module")
def fault_engine() -> Iterator[FaultEngine]:
    with started_engine() as server:
        yield server


@pytest.fixture(scope="module")
def console(fault_engine: FaultEngine, samples: Samples) -> Iterator[ConsoleServer]:
    settings = ConsoleSettings(
        process_url=f"{fault_engine.base_url}/process",
        ready_url=f"{fault_engine.base_url}/ready",
        manifest=samples.chunk_manifest,
        validation="strict",
        call_timeout=5,
    )
    with ConsoleServer(settings) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(
    browser: Browser, console: ConsoleServer, fault_engine: FaultEngine, tmp_path: Path
) -> Iterator[Page]:
    fault_engine.process = "ok"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.goto(console.url)
    expect(opened.locator("#ready-badge")).to_have_text("READY", timeout=LOADED_MACHINE_MS)
    yield opened
    opened.screenshot(path=str(tmp_path / "console.png"), full_page=True)
    context.close()


def submit(page: Page, frame: Path, payload: str = '{"mode": "chunk", "threshold": 0.5}') -> None:
    page.set_input_files("#chunk", str(frame))
    page.fill("#startOffsetMS", "1000")
    page.fill("#endOffsetMS", "2000")
    page.fill("#width", "320")
    page.fill("#height", "240")
    page.fill("#payload", payload)
    page.fill("#libraryId", "lib-1")
    page.fill("#libraryEngineModelId", "model-7")
    page.click("#submit")


def test_the_form_reaches_process_and_the_answer_is_pretty_printed_and_valid(
    page: Page, fault_engine: FaultEngine, samples: Samples, tmp_path: Path
) -> None:
    submit(page, samples.frame)
    expect(page.locator("#verdict")).to_have_text("VTN: valid VTN")
    expect(page.locator("#status")).to_contain_text("SUCCESS in")
    expect(page.locator("#chunkMimeType")).to_have_value("image/jpeg")  # filled from the file chosen
    answer = page.locator("#answer").inner_text()
    assert '\n  "object": [\n' in answer and json.loads(answer)["object"][0]["confidence"] == 0.9
    page.click("#fields-sent summary")
    sent = json.loads(page.locator("#fields").inner_text())
    assert sent["internalJobId"].startswith("console-") and sent["libraryId"] == "lib-1"
    page.screenshot(path=str(tmp_path / "console-answer.png"), full_page=True)
    form = fault_engine.forms[-1]
    assert (form["startOffsetMS"], form["endOffsetMS"], form["width"], form["height"]) == (
        "1000", "2000", "320", "240"
    )  # fmt: skip
    assert (form["libraryId"], form["libraryEngineModelId"]) == ("lib-1", "model-7")
    assert json.loads(form["payload"]) == {"mode": "chunk", "threshold": 0.5}
    assert form["chunkMimeType"] == "image/jpeg" and form["chunk.size"] == samples.frame.stat().st_size
    assert form["libraryModelDirectory"] and form["cacheURI"].startswith("http://127.0.0.1:")


def test_an_invalid_answer_shows_each_problem_with_its_json_path(
    page: Page, fault_engine: FaultEngine, samples: Samples
) -> None:
    fault_engine.process = "invalid"
    submit(page, samples.frame)
    expect(page.locator("#verdict")).to_have_text("VTN: not valid VTN: 1 problems")
    expect(page.locator("#problems li")).to_have_text(re.compile(r"^\$\.series\[0\]: Additional properties"))


def test_a_faulty_engines_error_is_shown(page: Page, fault_engine: FaultEngine, samples: Samples) -> None:
    fault_engine.process = "status:500"
    submit(page, samples.frame)
    expect(page.locator("#error")).to_have_text("Error: 500: engine says 500")
    expect(page.locator("#status")).to_contain_text("ERROR in")
    expect(page.locator("#status")).to_contain_text("3 attempts (500, 500, 500)")
    expect(page.locator("#verdict")).to_have_text("VTN: not checked")


def test_a_payload_that_is_not_json_is_refused_saying_so(page: Page, samples: Samples) -> None:
    submit(page, samples.frame, payload="{oops")
    expect(page.locator("#error")).to_contain_text("payload is not JSON")


def test_the_console_command_prints_its_url_and_removes_its_files_at_exit(
    samples: Samples, tmp_path: Path
) -> None:
    """The real command: an engine command started, the URL printed, everything stopped on SIGTERM."""
    example = Path(__file__).resolve().parents[3] / "examples" / "engines" / "brightness"
    command = f"{sys.executable} {example / 'engine.py'}"
    # A temporary folder of its own: another test's console may make one in /tmp meanwhile.
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "medialens"), "engine", "console", "--command", command],
        env={**os.environ, "TMPDIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"engine console: (http://127\.0\.0\.1:\d+/)", line)
        assert match, line
        (folder,) = tmp_path.glob("medialens-console-*")
        page = requests.get(match.group(1), timeout=10)
        assert page.status_code == 200 and "Medialens engine console" in page.text
        assert "<script src" not in page.text and "<link" not in page.text  # self-contained
        answer = requests.post(
            f"{match.group(1)}api/process",
            files={"chunk": ("frame.png", b"not a png", "image/png")},
            data={"chunkMimeType": "image/png"},
            timeout=20,
        ).json()
        assert answer["outcome"] == "ERROR" and "cannot read the frame: not a PNG file" in answer["error"]
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=20)
        assert process.returncode == 0 and "engine console stopped" in rest
        assert not folder.exists()  # the uploads are gone
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_a_stream_engines_task_is_followed_to_its_results(
    browser: Browser, fault_engine: FaultEngine, samples: Samples, tmp_path: Path
) -> None:
    """A stream engine's answer comes later, on the webhooks the console serves: the page follows it."""
    fault_engine.process = "async-complete"
    settings = ConsoleSettings(
        process_url=f"{fault_engine.base_url}/process",
        ready_url=f"{fault_engine.base_url}/ready",
        manifest=samples.stream_manifest,
        validation="strict",
    )
    with ConsoleServer(settings) as console:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(console.url)
        page.set_input_files("#chunk", str(samples.video))
        page.click("#submit")
        expect(page.locator("#task")).to_have_text(
            "Task complete: 2 heartbeats, 1 results, last infoMsg: 1 result", timeout=LOADED_MACHINE_MS
        )
        expect(page.locator("#verdict")).to_have_text("VTN: valid VTN")
        assert json.loads(page.locator("#answer").inner_text())[0]["series"][0]["words"] == [
            {"word": "hello"}
        ]
        page.screenshot(path=str(tmp_path / "console-stream.png"), full_page=True)
        context.close()
    form = fault_engine.forms[-1]
    assert form["chunk.size"] is None and form["heartbeatWebhook"].endswith("/heartbeat")


def test_a_chunk_answered_later_is_followed_to_its_result(
    page: Page, fault_engine: FaultEngine, samples: Samples
) -> None:
    fault_engine.process = "async-chunk"
    submit(page, samples.frame)
    expect(page.locator("#status")).to_contain_text("ACCEPTED in")
    expect(page.locator("#task")).to_have_text(
        "Task waiting: 0 heartbeats, 1 results", timeout=LOADED_MACHINE_MS
    )
    expect(page.locator("#verdict")).to_have_text("VTN: valid VTN")
    assert json.loads(page.locator("#answer").inner_text())[0]["object"][0]["label"].endswith(" later")
