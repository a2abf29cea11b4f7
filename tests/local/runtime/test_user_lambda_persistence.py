"""User functions, their versions, aliases and layers survive a clean stop and start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medialens.runtime.platform import LocalPlatform

from .user_lambda_support import build_zip, deploy, lambda_platform

pytestmark = pytest.mark.local

NAME = "kept-function"


def _code(folder: Path, word: str) -> bytes:
    source = (
        "import words\n"
        "from MediaInsightsEngineLambdaHelper import Status\n"
        f"def handler(e, c):\n    return ['{word}', words.WORD, Status.Complete.value]\n"
    )
    return build_zip(folder / word, {"app.py": source})


def _invoke(platform: LocalPlatform, **extra: Any) -> Any:
    assert platform.session is not None
    answer = platform.session.client("lambda").invoke(FunctionName=NAME, Payload=b"{}", **extra)
    assert "FunctionError" not in answer, answer["Payload"].read()
    return json.loads(answer["Payload"].read())


def test_functions_and_layers_come_back_after_a_restart(tmp_path: Path) -> None:
    root = tmp_path / "state"
    with lambda_platform(root, save=True) as first:
        assert first.session is not None
        lam = first.session.client("lambda")
        layer_zip = build_zip(tmp_path / "layer", {"python/words.py": "WORD = 'layered'\n"})
        dropped = lam.publish_layer_version(LayerName="words", Content={"ZipFile": layer_zip})
        layer = lam.publish_layer_version(LayerName="words", Content={"ZipFile": layer_zip})
        lam.delete_layer_version(LayerName="words", VersionNumber=dropped["Version"])
        deploy(
            first,
            NAME,
            _code(tmp_path, "old"),
            Layers=[layer["LayerVersionArn"], first.sdk_layer_arn],
            Environment={"Variables": {"KEPT": "yes"}},
            Timeout=7,
        )
        lam.publish_version(FunctionName=NAME)
        lam.update_function_code(FunctionName=NAME, ZipFile=_code(tmp_path, "new"))
        lam.create_alias(FunctionName=NAME, Name="stable", FunctionVersion="1")
        before = lam.get_function_configuration(FunctionName=NAME)
        sdk_arn = first.sdk_layer_arn

    with lambda_platform(root, save=True) as second:
        assert second.session is not None
        lam = second.session.client("lambda")
        after = lam.get_function_configuration(FunctionName=NAME)

        assert second.sdk_layer_arn == sdk_arn
        assert [
            v["LayerVersionArn"] for v in lam.list_layer_versions(LayerName="words")["LayerVersions"]
        ] == [layer["LayerVersionArn"]]
        for field in ("FunctionArn", "Handler", "Runtime", "Timeout", "Environment", "CodeSha256", "Layers"):
            assert after[field] == before[field], field
        assert _invoke(second) == ["new", "layered", "Complete"]
        assert _invoke(second, Qualifier="1") == ["old", "layered", "Complete"]
        assert _invoke(second, Qualifier="stable") == ["old", "layered", "Complete"]
