"""The inspection server's process lives and dies with the platform that started it."""

from __future__ import annotations

import os
import signal
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
