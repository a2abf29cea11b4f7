"""`medialens engine test` passes every sample engine Medialens ships (`engines/catalog.py`), each
started as the toolkit starts it, with strict VTN validation against the contracts its manifest
declares, on generated media with something to find: the main job's newscast (a face, burnt-in
text, speech, a black shot with silence) for the engines that take video, the harness's own
generated text for the others."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest

from api.engines.models import EngineManifest
from engines.catalog import SAMPLE_ENGINES, SampleEngine
from medialens.news_sample import make_news_video


@pytest.fixture(scope="module")
def newscast(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_news_video(tmp_path_factory.mktemp("news") / "news.mp4")


@pytest.mark.timeout(300)  # an engine loads its model before Ready answers 200
@pytest.mark.parametrize("engine", SAMPLE_ENGINES, ids=lambda engine: engine.name)
def test_the_harness_passes_every_sample_engine(medialens: Any, newscast: Path, engine: SampleEngine) -> None:
    manifest = EngineManifest.model_validate(engine.manifest())
    takes_video = manifest.supports("video/mp4") or manifest.supports("image/jpeg")
    media = ["--media", str(newscast)] if takes_video else []  # else generated to suit the manifest
    run = medialens(
        "engine", "test", "--manifest", str(engine.manifest_path), "--command", shlex.join(engine.command()),
        *media, "--validation", "strict", "--ready-timeout", "120",
    )  # fmt: skip
    assert run.code == 0, run.err
    report = run.report()
    assert report["engine"]["mode"] == engine.mode
    assert report["summary"]["seriesCount"] + report["summary"]["objectCount"] > 0  # it found something
