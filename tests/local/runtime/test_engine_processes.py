"""Engines hosted as the Engine Toolkit hosts them: a subprocess, its output logged, Ready polled."""

from __future__ import annotations

import logging
import os
import sys
import textwrap
import time

import pytest
import requests

from medialens.runtime.engine_processes import EngineCommand, EngineProcess, EngineState, EngineSupervisor

# An engine in a few lines: Ready answers as READY_ANSWERS says (the last answer repeats), the
# port comes from VERITONE_WEBHOOK_READY as the toolkit passes it, and it may start a child.
ENGINE = textwrap.dedent(
    """
    import os, subprocess, sys, urllib.parse
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Response
    answers = [int(code) for code in os.environ["READY_ANSWERS"].split(",")]
    polls = []
    def app(environ, start_response):
        polls.append(1)
        code = answers[min(len(polls), len(answers)) - 1]
        return Response("loading" if code != 200 else "ok", status=code)(environ, start_response)
    if os.environ.get("CHILD"):
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        print("child", child.pid, flush=True)
    port = urllib.parse.urlsplit(os.environ["VERITONE_WEBHOOK_READY"]).port
    print("model loaded; serving on", port, flush=True)
    make_server("127.0.0.1", port, app).serve_forever()
    """
)


def _command(name: str, answers: str, **environment: str) -> EngineCommand:
    return EngineCommand(name, [sys.executable, "-c", ENGINE], {"READY_ANSWERS": answers, **environment})


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting for its parent counts as ended
        return stat.read().split()[2] != "Z"


def test_an_engine_becomes_ready_after_503s_and_its_output_reaches_the_platform_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="medialens.engine")
    engine = EngineProcess(_command("patient", "503,503,200"))
    engine.start()
    try:
        assert engine.wait_settled(30) is EngineState.READY
        assert engine.ready_url.startswith("http://127.0.0.1:") and engine.ready_url.endswith("/ready")
        assert requests.get(engine.ready_url, timeout=5).status_code == 200
        assert engine.describe().startswith(f"patient on {engine.base_url}: ready in ")
    finally:
        engine.stop()
    logged = [r for r in caplog.records if r.name == "medialens.engine.patient"]
    assert any("model loaded; serving on" in record.getMessage() for record in logged)


def test_a_ready_500_is_a_broken_engine_and_says_what_it_answered() -> None:
    engine = EngineProcess(_command("broken", "500"))
    engine.start()
    try:
        assert engine.wait_settled(30) is EngineState.BROKEN
        assert "Ready answered 500: loading" in engine.describe()
    finally:
        engine.stop()


def test_an_engine_that_exits_is_reported_with_its_code_and_last_line() -> None:
    command = EngineCommand(
        "crashing", [sys.executable, "-c", "print('cannot load the model'); raise SystemExit(3)"]
    )
    engine = EngineProcess(command)
    engine.start()
    assert engine.wait_settled(30) is EngineState.EXITED
    assert "exit code 3; last output: cannot load the model" in engine.describe()


def test_an_engine_never_ready_is_reported_after_the_timeout() -> None:
    engine = EngineProcess(_command("slow", "503"), ready_timeout=1.5)
    engine.start()
    try:
        assert engine.wait_settled(30) is EngineState.NOT_READY
        assert "no 200 from Ready within 2 s" in engine.describe()
    finally:
        engine.stop()


def test_stopping_ends_the_engine_and_the_processes_it_started() -> None:
    supervisor = EngineSupervisor([_command("parent", "200", CHILD="1"), _command("other", "200")])
    supervisor.start()
    try:
        engines = supervisor.wait_settled(30)
        assert [engine.state for engine in engines] == [EngineState.READY, EngineState.READY]
        assert set(supervisor.urls()) == {"parent", "other"}
        assert len(set(supervisor.urls().values())) == 2  # each on a port of its own
        child = _child_pid(engines[0])
    finally:
        supervisor.stop()
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)
    for engine in engines:
        with pytest.raises(requests.ConnectionError):
            requests.get(engine.ready_url, timeout=2)


def _child_pid(engine: EngineProcess) -> int:
    for line in engine._output:  # what the engine printed, kept for the exit report
        if line.startswith("child "):
            return int(line.split()[1])
    raise AssertionError("the engine did not report its child")
