"""The operator catalog: what a folder's operators.json may say, and the errors when it is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from operators.catalog import CatalogError, load_catalog, local_function_name


def _definition(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Name": "Echo",
        "Type": "Sync",
        "Configuration": {"MediaType": "Video", "Enabled": True, "Depth": 2},
        "StartHandler": "operators.echo.handler.start",
    }
    return {**base, **overrides}


def _library(tmp_path: Path, folders: dict[str, Any]) -> Path:
    root = tmp_path / "operators"
    for folder, document in folders.items():
        (root / folder).mkdir(parents=True)
        (root / folder / "handler.py").write_text("def start(event, context): ...\n")
        text = document if isinstance(document, str) else json.dumps(document)
        (root / folder / "operators.json").write_text(text)
    return root


def test_folders_are_read_sorted_by_name_with_free_configuration_keys(tmp_path: Path) -> None:
    root = _library(
        tmp_path,
        {
            "echo": [_definition()],
            "zeta": [_definition(Name="Alpha", StartHandler="operators.zeta.handler.start")],
        },
    )
    entries = load_catalog(root)
    assert [entry.definition.Name for entry in entries] == ["Alpha", "Echo"]
    echo = entries[1]
    assert echo.folder == root / "echo"
    request = echo.definition.operation_request("arn:aws:lambda:us-east-1:123456789012:function:f")
    assert request["Configuration"] == {"MediaType": "Video", "Enabled": True, "Depth": 2}
    assert "MonitorLambdaArn" not in request


def test_test_resources_can_be_left_out(tmp_path: Path) -> None:
    root = _library(tmp_path, {"echo": [_definition(), _definition(Name="Probe", TestResource=True)]})
    assert [e.definition.Name for e in load_catalog(root)] == ["Echo", "Probe"]
    assert [e.definition.Name for e in load_catalog(root, include_test=False)] == ["Echo"]


def test_async_needs_a_monitor_and_sync_refuses_one(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="Async operator needs a MonitorHandler"):
        load_catalog(_library(tmp_path / "a", {"echo": [_definition(Type="Async")]}))
    with pytest.raises(CatalogError, match="Sync operator has no MonitorHandler"):
        load_catalog(
            _library(tmp_path / "b", {"echo": [_definition(MonitorHandler="operators.echo.handler.start")]})
        )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "cannot read operator definitions"),
        (json.dumps(_definition()), "expected a JSON list"),
        ([_definition(Name="bad name!")], r"definition 0 \(bad name!\): Name: .*, got \"bad name!\""),
        ([_definition(TimeoutSeconds=901)], r"definition 0 \(Echo\): TimeoutSeconds: .* 900, got 901"),
        (["Echo"], "definition 0: definition: Input should be a valid dictionary"),
        ([_definition(Colour="red")], "Colour: Extra inputs are not permitted"),
        ([_definition(StartHandler="os.system")], "StartHandler"),
        ([_definition(StartHandler="operators.echo.gone.start")], "has no module operators/echo/gone.py"),
    ],
)
def test_bad_definitions_name_the_file_and_the_problem(tmp_path: Path, document: Any, message: str) -> None:
    root = _library(tmp_path, {"echo": document})
    with pytest.raises(CatalogError, match=message) as raised:
        load_catalog(root)
    assert str(root / "echo") in str(raised.value)


def test_a_name_defined_twice_is_refused(tmp_path: Path) -> None:
    root = _library(
        tmp_path,
        {"echo": [_definition()], "other": [_definition(StartHandler="operators.other.handler.start")]},
    )
    with pytest.raises(CatalogError, match="operator Echo is defined in both"):
        load_catalog(root)


def test_local_function_names_fit_lambda_limits() -> None:
    assert local_function_name("Mediainfo", "start") == "medialens-op-Mediainfo-start"
    start, monitor = local_function_name("X" * 64, "start"), local_function_name("X" * 64, "monitor")
    assert len(start) == len(monitor) == 64
    assert start != monitor


def test_an_engine_operator_needs_no_handlers_and_registers_its_block(tmp_path: Path) -> None:
    engine = {
        "ProcessUrl": "http://127.0.0.1:8080/process",
        "ReadyUrl": "http://127.0.0.1:8080/ready",
        "Manifest": {"engineMode": "chunk", "supportedInputFormats": ["image/jpeg"]},
    }
    definition = {
        "Name": "Labels",
        "Configuration": {"MediaType": "Video", "Enabled": True},
        "Engine": engine,
    }
    [entry] = load_catalog(_library(tmp_path / "a", {"labels": [definition]}))
    assert entry.definition.handlers() == {}
    request = entry.definition.operation_request()
    assert request["Type"] == "Sync" and "StartLambdaArn" not in request
    assert request["Engine"]["Manifest"]["engineMode"] == "chunk"
    with pytest.raises(CatalogError, match="no StartHandler or MonitorHandler"):
        load_catalog(
            _library(tmp_path / "b", {"labels": [{**definition, "StartHandler": "operators.labels.h.f"}]})
        )
    with pytest.raises(CatalogError, match="Type must be Async for a stream engine"):
        stream = {**engine, "Manifest": {"engineMode": "stream", "supportedInputFormats": ["video/mp4"]}}
        load_catalog(_library(tmp_path / "c", {"labels": [{**definition, "Type": "Sync", "Engine": stream}]}))
