"""Running the `medialens` command in a subprocess with its own state folder, as a user does."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
START_DEADLINE_SECONDS = 60


# The sample engines a started platform hosts (`MEDIALENS_ENGINES`): none unless a test needs them,
# so each platform the CLI tests start loads no models.
NO_ENGINES = "none"


def _env(home: Path, engines: str | None) -> dict[str, str]:
    """The user's environment with this state folder; `engines` None hosts every sample engine.

    A terminal 160 columns wide: rich wraps tables to the terminal (80 columns without one), which
    would split the names and findings the tests look for across lines."""
    env = {**os.environ, "MEDIALENS_HOME": str(home), "COLUMNS": "160"}
    env.pop("MEDIALENS_ENGINES", None)
    if engines is not None:
        env["MEDIALENS_ENGINES"] = engines
    return env


def cli(
    home: Path, *args: str, check: bool = False, engines: str | None = NO_ENGINES, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "medialens"), *args],
        env=_env(home, engines),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


def start(home: Path, engines: str | None = NO_ENGINES) -> subprocess.Popen[str]:
    log = (home.parent / f"{home.name}-up.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "medialens"), "up"],
        env=_env(home, engines),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"medialens up exited early with {process.returncode}")
            if cli(home, "status").returncode == 0:
                return process
            time.sleep(0.3)
    except BaseException:  # a test timeout lands here too: never leave the platform behind
        process.kill()
        raise
    process.kill()
    raise AssertionError("medialens up was not ready in time")


def stop(home: Path, process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        cli(home, "down")
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def exported(home: Path) -> dict[str, str]:
    result = cli(home, "env", check=True)
    values: dict[str, str] = {}
    for line in result.stdout.splitlines():
        assert line.startswith("export "), line
        name, _, value = line.removeprefix("export ").partition("=")
        values[name] = shlex.split(value)[0]
    return values


def awscurl(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = subprocess.run(
        [str(BIN / "awscurl"), "--fail-with-body", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, result.stdout + result.stderr
