"""Which engines a platform hosts, and which library stages and workflows follow from its operators."""

from __future__ import annotations

import pytest

from medialens.sample_engines import ENGINES_ENV, UnknownEngineError, hosted_engines, sample_engine_commands
from operators.library_engines import LIBRARY_ENGINE_OPERATORS, operation_requests, sample_engines
from operators.library_workflows import OPERATORS, library_stages, library_workflows


def test_every_engine_the_library_uses_is_hosted_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENGINES_ENV, raising=False)
    assert hosted_engines() == sample_engines()
    monkeypatch.setenv(ENGINES_ENV, "none")
    assert hosted_engines() == []
    monkeypatch.setenv(ENGINES_ENV, f" {sample_engines()[0]} ,")
    assert hosted_engines() == sample_engines()[:1]


def test_an_unknown_engine_name_is_refused_naming_it_and_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINES_ENV, "faces,lipreading")
    with pytest.raises(UnknownEngineError, match="names no sample engine lipreading; they are: faces"):
        hosted_engines()


def test_an_engine_is_started_as_a_module_of_the_repository() -> None:
    [command] = sample_engine_commands(["faces"])
    assert command.argv[1:] == ["-m", "engines.faces"]
    assert command.cwd is not None and command.environment["PYTHONPATH"].startswith(command.cwd)


def test_only_the_operators_of_running_engines_are_registered() -> None:
    bodies = operation_requests({"faces": "http://127.0.0.1:9"})
    assert [body["Name"] for body in bodies] == ["FaceDetection", "FaceDetectionImage"]
    video = bodies[0]
    assert video["Configuration"] == {"MediaType": "Video", "Enabled": True}
    assert video["Engine"]["ProcessUrl"] == "http://127.0.0.1:9/process"
    assert video["Engine"]["ReadyUrl"] == "http://127.0.0.1:9/ready"
    assert video["Engine"]["Manifest"]["engineMode"] == "chunk"
    assert video["Engine"]["Validation"]["Mode"] == "strict"


def test_stages_keep_the_operators_present_and_workflows_the_stages_left() -> None:
    lambda_only = set(OPERATORS)
    assert [stage["Name"] for stage in library_stages(lambda_only)] == ["MediaAnalysis"]
    workflows = {flow["Name"]: flow for flow in library_workflows(lambda_only)}
    assert set(workflows) == {"MediaAnalysisWorkflow", "VideoWorkflow"}
    assert workflows["VideoWorkflow"]["Stages"] == {"MediaAnalysis": {"End": True}}

    everything = lambda_only | {operator.name for operator in LIBRARY_ENGINE_OPERATORS}
    flows = {flow["Name"]: flow for flow in library_workflows(everything)}
    assert set(flows) == {"MediaAnalysisWorkflow", "VideoWorkflow", "ImageWorkflow", "TextWorkflow"}
    assert flows["VideoWorkflow"]["StartAt"] == "MediaAnalysis"
    assert flows["VideoWorkflow"]["Stages"] == {
        "MediaAnalysis": {"Next": "VideoAnalysis"},
        "VideoAnalysis": {"Next": "TextAnalysis"},
        "TextAnalysis": {"End": True},
    }
    stages = {stage["Name"]: stage["Operations"] for stage in library_stages(everything)}
    assert stages["VideoAnalysis"] == [
        "FaceDetection",
        "TextDetection",
        "ShotDetection",
        "BlackFramesAndSilences",
        "Transcription",
    ]
