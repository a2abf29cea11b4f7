"""docs/engines.md, "Write your own engine": the example engine's analysis is real, and the
walk-through's commands (walkthrough_engine.sh, as written in the docs) take it from a passing
harness run to a workflow on the local platform whose stored results are read back."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import imageio_ffmpeg
import pytest

from medialens.runtime.ports import free_port
from tests.local.engine_harness.conftest import EXAMPLE
from tests.local.workflows.platform_client import started_platform

WALKTHROUGH = Path(__file__).with_name("walkthrough_engine.sh")


def example_engine() -> ModuleType:
    spec = importlib.util.spec_from_file_location("brightness_engine", EXAMPLE / "engine.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def png_of(colour: str, folder: Path, pixel_format: str = "rgb24") -> bytes:
    """A 64x48 PNG of one colour, written by ffmpeg (its encoder uses every PNG row filter)."""
    path = folder / f"{colour}-{pixel_format}.png"
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    source = f"color=c={colour}:s=64x48,format={pixel_format}"
    command = [ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-frames:v", "1", str(path)]
    subprocess.run(command, check=True, timeout=60)
    return path.read_bytes()


@pytest.mark.parametrize(
    ("colour", "pixel_format", "expected", "label"),
    [
        ("black", "rgb24", 0.0, "dark"),
        ("white", "rgb24", 1.0, "bright"),
        ("0x808080", "gray", 128 / 255, "medium"),
        ("0xff0000", "rgba", 0.299, "medium"),  # pure red: Rec. 601 weights red 0.299
    ],
)
def test_the_example_engine_measures_brightness(
    tmp_path: Path, colour: str, pixel_format: str, expected: float, label: str
) -> None:
    engine = example_engine()
    brightness = engine.mean_brightness(png_of(colour, tmp_path, pixel_format))
    assert brightness == pytest.approx(expected, abs=0.01)
    assert engine.label(brightness) == label


def test_the_example_engine_measures_a_real_frame_with_every_row_filter(tmp_path: Path) -> None:
    """A test pattern's frame (gradients: Sub, Up, Average and Paeth rows) against Pillow's reading."""
    from PIL import Image, ImageStat

    path = tmp_path / "pattern.png"
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    source = "testsrc2=s=160x120"
    command = [ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-frames:v", "1", str(path)]
    subprocess.run(command, check=True, timeout=60)
    red, green, blue = ImageStat.Stat(Image.open(path).convert("RGB")).mean
    expected = (0.299 * red + 0.587 * green + 0.114 * blue) / 255
    assert example_engine().mean_brightness(path.read_bytes()) == pytest.approx(expected, abs=1e-6)


def sections(output: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in output.splitlines():
        if line.startswith("## "):
            current = found.setdefault(line.removeprefix("## "), [])
        else:
            current.append(line)
    return found


@pytest.mark.local
@pytest.mark.timeout(300)  # a platform start, a harness run, a workflow: slow on a loaded machine
def test_the_walkthrough_runs_from_a_passing_harness_to_a_workflow(tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(EXAMPLE, work / "examples" / "engines" / "brightness")
    with started_platform(tmp_path / "platform") as running:
        credentials = running.platform.state.credentials()
        environment = {
            "HOME": os.environ.get("HOME", "/root"),
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "PORT": str(free_port("127.0.0.1")),
            "WORKFLOW_API_ENDPOINT": running.endpoints.workflow_api,
            "DATAPLANE_API_ENDPOINT": running.endpoints.dataplane_api,
            "DATAPLANE_BUCKET": running.endpoints.dataplane_bucket,
            "AWS_ENDPOINT_URL": running.endpoints.moto_url,
            "AWS_ACCESS_KEY_ID": credentials.access_key_id,
            "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
            "AWS_DEFAULT_REGION": credentials.region,
            "AWS_REGION": credentials.region,
        }
        result = subprocess.run(
            ["bash", str(WALKTHROUGH)], cwd=work, env=environment, capture_output=True, text=True, timeout=240
        )
    assert result.returncode == 0, result.stdout + result.stderr
    found = sections(result.stdout)
    assert found["harness"][-1] == "engine test passed"
    assert (work / "engine-test-report" / "report.json").is_file()
    assert found["register"] == [
        '{"Name":"Brightness","Type":"Sync"}',
        '{"Name":"BrightnessStage"}',
        '{"Name":"BrightnessWorkflow"}',
    ]
    assert found["run"] == ["Complete"]
    frames = [line for line in found["results"] if line]
    assert len(frames) == 3 and frames[0].startswith('{"startTimeMs":0,"brightness":"medium","mean":0.')


def test_the_docs_show_the_example_engines_own_process_handler() -> None:
    engine = (EXAMPLE / "engine.py").read_text()
    handler = engine[engine.index("def answer(") : engine.index("\n\n\ndef main()")]
    docs = (EXAMPLE.parents[2] / "docs" / "engines.md").read_text()
    assert f"```python\n{handler}\n```" in docs
