"""The local inspection server: Datasette over the search index, started and stopped with the platform.

`InspectServer.start()` runs `python -m datasette serve` in its own process on 127.0.0.1 (a free
port), over `.medialens/search.sqlite3`, with this package's metadata (Discover: facets, labels,
the search form), templates (the asset page) and plugin (`plugin.py`). The pages only read: the
index is opened as an ordinary Datasette database, which serves read-only SQL; no writable
database, upload or plugin that writes is configured. It is bound to 127.0.0.1 only: like the
rest of the local platform's pages, it is for the person at this machine.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO

import requests

from api.search.sqlite_index import SqliteSearchIndex
from medialens.inspect import PARENT_PID_ENV
from medialens.runtime.ports import free_port

LOG = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
START_TIMEOUT_SECONDS = 60.0
# The pages' port when it is free, so the URL `medialens run` prints for later stays the same;
# `MEDIALENS_INSPECT_PORT` chooses another.
INSPECT_PORT_ENV = "MEDIALENS_INSPECT_PORT"
DEFAULT_INSPECT_PORT = 8765
PORT_ATTEMPTS = 3


def _forward(stream: IO[bytes], logger: logging.Logger) -> None:
    for line in iter(stream.readline, b""):
        logger.info("%s", line.decode("utf-8", "replace").rstrip())


def preferred_inspect_port() -> int:
    """`MEDIALENS_INSPECT_PORT` if set to a port number, else 8765."""
    value = os.environ.get(INSPECT_PORT_ENV, "")
    return int(value) if value.isdigit() and 0 < int(value) < 65536 else DEFAULT_INSPECT_PORT


class InspectServer:
    def __init__(self, index_file: Path, environment: Mapping[str, str], *, host: str = "127.0.0.1") -> None:
        self.index_file = index_file
        self.environment = dict(environment)
        self.host = host
        self.url = ""
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        """Start Datasette and wait until it answers; returns its base URL. Raises RuntimeError.

        The preferred port first; a port another server takes between the probe and Datasette's
        bind (two platforms starting at once) makes Datasette exit, and a free port is tried next.
        """
        SqliteSearchIndex(self.index_file).ensure()  # Datasette needs the file and its tables
        status = None
        for attempt in range(PORT_ATTEMPTS):
            status = self._launch(free_port(self.host, preferred_inspect_port() if attempt == 0 else None))
            if status is None:
                return self.url
        raise RuntimeError(f"the inspection server exited with status {status}")

    def _launch(self, port: int) -> int | None:
        """None once Datasette answers on `port`; its exit status if it ended first."""
        repository = HERE.parents[1]
        env = {
            **os.environ,
            **self.environment,
            "PYTHONPATH": os.pathsep.join([str(repository), str(repository / "lib" / "helper")]),
            PARENT_PID_ENV: str(os.getpid()),  # the plugin exits when this process is gone
        }
        command = [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(self.index_file.resolve()),
            "--host",
            self.host,
            "--port",
            str(port),
            "--metadata",
            str(HERE / "metadata.json"),
            "--template-dir",
            str(HERE / "templates"),
            "--plugins-dir",
            str(HERE / "plugins"),
            "--setting",
            "default_page_size",
            "50",
            "--setting",
            "sql_time_limit_ms",
            "2000",
        ]
        self._process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
        )
        assert self._process.stdout is not None
        threading.Thread(
            target=_forward, args=(self._process.stdout, logging.getLogger("medialens.inspect")), daemon=True
        ).start()
        self.url = f"http://{self.host}:{port}"
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return self._process.returncode
            if self._serves_our_index():
                return None
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the inspection server did not answer within {START_TIMEOUT_SECONDS:.0f} s")

    def _serves_our_index(self) -> bool:
        """Datasette answers on the port with our index: not another platform's pages that took it."""
        try:
            databases = requests.get(f"{self.url}/-/databases.json", timeout=2).json()
        except (requests.RequestException, ValueError):
            return False
        ours = self.index_file.resolve()
        return isinstance(databases, list) and any(
            isinstance(entry, dict) and Path(str(entry.get("path"))).resolve() == ours for entry in databases
        )

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
