"""The seed guide's step 6 (004_*, "Test your new workflow and operator") run in bash, as a user
types it, against `medialens up` in a state folder whose name needs quoting.

The environment comes from the very line `medialens up` prints, run from another folder with no
`MEDIALENS_HOME` and no `.venv/bin` on PATH; the requests go through awscurl and every answer
through the guide's `| cut -f 2 -d "'" | jq` pipe.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from medialens.sample_media import make_sample_video
from tests.local.cli.cli_process import BIN, exported, start, stop
from tests.support.waiting import wait_until

pytestmark = pytest.mark.local

ENV_LINE_PREFIX = "in another shell: "
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"

# The guide's commands, as a user types them (a shell script beside this file).
STEP_6 = Path(__file__).with_name("guide_step6.sh")


@pytest.fixture(scope="module")
def guide_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A platform whose state folder is not the default one and whose path needs quoting."""
    home = tmp_path_factory.mktemp("guide") / "the guide's home"
    process = start(home)
    log = home.parent / f"{home.name}-up.log"
    try:
        wait_until(lambda: ENV_LINE_PREFIX in log.read_text(), timeout=30)
        [line] = [line for line in log.read_text().splitlines() if line.startswith(ENV_LINE_PREFIX)]
        yield home, line.removeprefix(ENV_LINE_PREFIX)
    finally:
        stop(home, process)


def _bash(script: str, *, cwd: Path, path: str, env_line: str, extra: dict[str, str] | None = None) -> str:
    """`script` in a clean bash: no MEDIALENS_HOME, no AWS settings, only `path` on PATH."""
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env={"HOME": os.environ.get("HOME", "/root"), "PATH": path, "ENV_LINE": env_line, **(extra or {})},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _sections(output: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in output.splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line.removeprefix("## "), [])
        else:
            current.append(line)
    return sections


def test_the_env_line_up_prints_works_from_another_folder(
    guide_home: tuple[Path, str], tmp_path: Path
) -> None:
    home, env_line = guide_home
    names = ("WORKFLOW_API_ENDPOINT", "DATAPLANE_API_ENDPOINT", "DATAPLANE_BUCKET", "AWS_ACCESS_KEY_ID")
    script = 'eval "$ENV_LINE" && ' + " && ".join(f'printf "%s\\n" "${name}"' for name in names)

    printed = _bash(script, cwd=tmp_path, path=SYSTEM_PATH, env_line=env_line).splitlines()

    expected = exported(home)
    assert printed == [expected[name] for name in names]
    assert "MEDIALENS_HOME=" in env_line  # the state folder travels with the line


def test_the_guides_step_6_commands_work_through_awscurl_cut_and_jq(
    guide_home: tuple[Path, str], tmp_path: Path
) -> None:
    _, env_line = guide_home
    (tmp_path / "test_image.jpg").write_bytes(b"\xff\xd8\xff\xe0 not decoded by these operators")

    output = _sections(
        _bash(STEP_6.read_text(), cwd=tmp_path, path=f"{BIN}:{SYSTEM_PATH}", env_line=env_line)
    )

    # A fresh platform lists the library's workflow; its stages and their configuration, as MIE.
    assert '"MediaAnalysisWorkflow"' in output["list workflows"]
    assert output["list stages"] == ['"MediaAnalysis"']
    # The guide's filter has $STAGE_NAME inside single quotes: jq looks for that literal key.
    assert output["stage configuration as written"] == ["null"]
    assert output["stage configuration"] == [
        '{"Mediainfo":{"Enabled":true,"MediaType":"Video"},'
        '"Thumbnail":{"Enabled":true,"MediaType":"Video","PositionSeconds":1,"Width":320}}'
    ]
    assert output["copy"] == ["copied"]
    # Its execution command has "$WORKFLOW_NAME" inside single quotes too: the 400 quotes it.
    [refused] = output["run as written"]
    assert refused.startswith('{"Code":"BadRequest","Message":"Name: ')
    assert 'got \\"$WORKFLOW_NAME\\"' in refused
    # The Image input is not the Video these operators take: they are skipped, the run completes.
    assert output["run"] == ["Complete"]
    assert output["run configured"] == ['{"Mediainfo":false,"Thumbnail":false}']
    assert output["apostrophe in data"] == ["the team's stage"]
    [missing] = output["missing function"]
    assert missing == (
        'StartLambdaArn: Lambda function "arn:aws:lambda:us-east-1:123456789012:function:not-deployed" '
        "does not exist"
    )


WALKTHROUGH = Path(__file__).with_name("guide_operator_walkthrough.sh")


def test_the_operator_walkthrough_of_docs_operators_md(guide_home: tuple[Path, str], tmp_path: Path) -> None:
    """A handler outside the repository: zipped, created with the SDK layer, registered, composed,
    run, its results and logs read, its code updated and the change seen in the next run."""
    _, env_line = guide_home
    sample = make_sample_video(tmp_path / "sample.mp4")
    output = _sections(
        _bash(
            WALKTHROUGH.read_text(),
            cwd=tmp_path,
            path=f"{BIN}:{SYSTEM_PATH}",
            env_line=env_line,
            extra={"SAMPLE": str(sample)},
        )
    )
    assert output["zip"] == ["zipped"]
    layer, state, function_arn = output["deploy"]
    assert layer.endswith(":layer:medialens-sdk:1") and state == "Active"
    assert function_arn.endswith(":function:media-size")
    assert output["register"] == ['{"Name":"MediaSize","StageName":"_MediaSize"}']
    completed = (
        '{"Status":"Complete","Operators":'
        '[{"Name":"MediaSize","Status":"Complete"},{"Name":"Mediainfo","Status":"Complete"}]}'
    )
    size = sample.stat().st_size
    assert output["run"] == [completed, f'{{"Bytes":{size}}}']
    assert output["logs"] != ["0"]
    assert output["change"] == ["Successful"]
    assert output["run again"] == [completed, f'{{"Bytes":{size},"KiB":{size // 1024}}}']
