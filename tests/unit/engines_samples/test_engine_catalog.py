"""The catalogue of sample engines: manifests the platform accepts, modules that start the toolkit's way."""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from api.engines.models import EngineManifest
from engines.catalog import SAMPLE_ENGINES, SampleEngine, sample_engine
from engines.toolkit import ChunkEngine, TaskEngine
from medialens.runtime.engine_processes import EngineCommand, EngineProcess, EngineState
from operators.engine.client import wait_ready
from operators.engine.vtn import SCHEMA_ROOT

pytestmark = pytest.mark.xdist_group("engine-catalog")


def test_catalogue_lists_every_sample_engine() -> None:
    assert [engine.name for engine in SAMPLE_ENGINES] == [
        "faces",
        "text",
        "transcription",
        "keywords",
        "shots",
        "signals",
    ]
    assert sample_engine("faces").module == "engines.faces"
    with pytest.raises(KeyError, match="known: faces, text"):
        sample_engine("nudity")


@pytest.mark.parametrize("entry", SAMPLE_ENGINES, ids=lambda entry: entry.name)
def test_manifest_is_one_the_platform_registers(entry: SampleEngine) -> None:
    raw = entry.manifest()
    manifest = EngineManifest.model_validate(raw)

    assert raw["name"] and raw["description"] and raw["engineId"]
    assert manifest.preferredInputFormat is not None and manifest.supports(manifest.preferredInputFormat)
    assert manifest.initialConcurrency is not None and manifest.maxConcurrency is not None
    assert manifest.initialConcurrency <= manifest.maxConcurrency
    assert all((SCHEMA_ROOT / contract).is_dir() for contract in raw["validationContracts"])
    package = importlib.import_module(entry.module)
    engine_class = getattr(package, package.__all__[0])
    assert engine_class.name == entry.name
    expected = ChunkEngine if manifest.engineMode == "chunk" else TaskEngine
    assert issubclass(engine_class, expected), (entry.name, manifest.engineMode)
    assert (entry.directory / "__main__.py").is_file()


def test_engine_takes_its_port_and_paths_from_the_toolkit_variables(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a free port, as a supervisor picks one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "VERITONE_WEBHOOK_PROCESS": f"http://127.0.0.1:{port}/v3/process",
        "VERITONE_WEBHOOK_READY": f"http://127.0.0.1:{port}/readyz",
    }
    log = tmp_path / "signals.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            sample_engine("signals").command(), stdout=subprocess.PIPE, stderr=sink, env={**os.environ, **env}
        )
    try:
        assert process.stdout is not None
        listening = process.stdout.readline().decode()  # printed once it listens
        url = f"http://127.0.0.1:{port}"
        assert listening.strip() == f"signals engine listening on {url}"
        wait_ready(f"{url}/readyz", 60)  # the platform's own Ready poll
        assert requests.post(f"{url}/v3/process", data={}, timeout=5).status_code == 400  # no webhooks
    finally:
        process.terminate()
        assert process.wait(10) == 0  # SIGTERM stops it cleanly
        process.stdout.close()


def test_engine_that_cannot_start_is_reported() -> None:
    broken = EngineCommand("broken", [sys.executable, "-m", "engines.no_such_engine"])
    engine = EngineProcess(broken)
    engine.start()
    assert engine.wait_settled(30) is EngineState.EXITED
    assert "No module named engines.no_such_engine" in engine.describe()
