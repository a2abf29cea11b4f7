"""The inspection server's process lives and dies with the platform that started it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.local

REPO_ROOT = Path(__file__).resolve().parents[3]
STARTER = """
import sys, time
from pathlib import Path
from medialens.inspect.server import InspectServer
server = InspectServer(Path(sys.argv[1]), {})
print(server.start(), flush=True)
time.sleep(120)
"""


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/-/versions.json", timeout=2).ok
    except requests.RequestException:
        return False


def test_a_killed_platform_does_not_leave_its_inspection_server_behind(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "lib" / "helper")])}
    platform = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(tmp_path / "search.sqlite3")],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert platform.stdout is not None
        url = platform.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and _answers(url)
        platform.send_signal(signal.SIGKILL)
        platform.wait(timeout=10)
        deadline = time.monotonic() + 15
        while _answers(url):
            assert time.monotonic() < deadline, "the inspection server outlived its platform"
            time.sleep(0.3)
    finally:
        if platform.poll() is None:
            platform.kill()


def test_a_port_taken_between_the_probe_and_the_bind_moves_the_server_to_a_free_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medialens.inspect import server as inspect_server
    from medialens.runtime.ports import free_port

    with socket.socket() as taken:  # another platform's pages, bound after this one's probe
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        probes = iter([busy])
        monkeypatch.setattr(
            inspect_server, "free_port", lambda host, preferred=None: next(probes, free_port(host))
        )
        pages = inspect_server.InspectServer(tmp_path / "search.sqlite3", {})
        try:
            url = pages.start()
            assert _answers(url) and not url.endswith(f":{busy}")
        finally:
            pages.stop()


def test_pages_of_another_platform_on_the_port_are_not_taken_for_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medialens.inspect import server as inspect_server
    from medialens.runtime.ports import free_port

    first = inspect_server.InspectServer(tmp_path / "first.sqlite3", {})
    first_url = first.start()
    try:
        # The second platform's probe found the port free just before the first one bound it.
        probes = iter([int(first_url.rsplit(":", 1)[1])])
        monkeypatch.setattr(
            inspect_server, "free_port", lambda host, preferred=None: next(probes, free_port(host))
        )
        second = inspect_server.InspectServer(tmp_path / "second.sqlite3", {})
        try:
            second_url = second.start()
            assert second_url != first_url
            paths = [
                entry["path"] for entry in requests.get(f"{second_url}/-/databases.json", timeout=5).json()
            ]
            assert paths == [str((tmp_path / "second.sqlite3").resolve())]
        finally:
            second.stop()
    finally:
        first.stop()
