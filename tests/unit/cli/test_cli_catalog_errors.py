"""A malformed operators.json stops the `medialens` command with one line naming the file and field."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import pytest

from medialens import cli, deployment
from operators.catalog import load_catalog


def _operators_root(tmp_path: Path, document: str) -> Path:
    folder = tmp_path / "operators" / "echo"
    folder.mkdir(parents=True)
    (folder / "handler.py").write_text("def start(event, context): ...\n")
    (folder / "operators.json").write_text(document)
    return folder.parent


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (
            json.dumps(
                [
                    {
                        "Name": "Echo",
                        "Type": "Sync",
                        "Configuration": {"MediaType": "Video", "Enabled": "yes"},
                        "StartHandler": "operators.echo.handler.start",
                    }
                ]
            ),
            "Configuration.Enabled",
        ),
        (
            '[{"Name": "Echo", "Type": "Sync",\n  "Configuration": {}\n  "StartHandler": "x"}]',
            "line 3 column 3",
        ),
        ('[{"Name": "Echo", "Type": "Sometimes", "StartHandler": "[bold]x[/bold]"}]', "Type"),
    ],
)
def test_a_malformed_catalog_is_one_line_naming_file_and_field(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    document: str,
    field: str,
) -> None:
    root = _operators_root(tmp_path, document)
    monkeypatch.setattr(deployment, "load_catalog", functools.partial(load_catalog, root))
    monkeypatch.setenv("MEDIALENS_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(sys, "argv", ["medialens", "up"])

    with pytest.raises(SystemExit) as exited:
        cli.main()

    assert exited.value.code == 1
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("medialens: cannot start: ")
    assert str(root / "echo" / "operators.json") in lines[0]
    assert field in lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert not (tmp_path / "state" / "platform.pid").exists()
