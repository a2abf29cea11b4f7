"""A chunk engine's operator in the compiled machine: prepare, a Map of batched calls, merge.

Also derives the history events one hour of media costs (docs/engines.md states the figure).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from api.engines.plan import batches
from api.workflow.generator import StepFunctionArns, WorkflowGenerator
from api.workflow.generator.names import operator_state, stage_state
from api.workflow.models import Operation, Stage, Workflow
from tests.support.asl_validator import asl_validator_problems

DOC = Path(__file__).resolve().parents[3] / "docs" / "engines.md"
FN = "arn:aws:lambda:us-east-1:123456789012:function:"
STEPS = [FN + name for name in ("filter", "failed", "stage", "done", "fail", "prepare-media")]
ARNS = StepFunctionArns(
    *STEPS, engine_prepare=FN + "prep", engine_chunks=FN + "call", engine_merge=FN + "merge"
)
STAGE, OPERATOR = "Look", "Faces"
EVENTS_PER_STATE = {"Task": 5, "Choice": 2, "Succeed": 2, "Map": 4}
EVENTS_PER_MAP_ITERATION = 2  # MapIterationStarted, MapIterationSucceeded
HOUR_OF_FRAMES = 3600  # one hour at 1 frame per second


def engine_operation(mode: str = "chunk", concurrency: int = 4) -> Operation:
    return Operation.model_validate(
        {
            "Name": OPERATOR,
            "Configuration": {"MediaType": "Video", "Enabled": True},
            "Engine": {
                "ProcessUrl": "http://engine:8080/process",
                "ReadyUrl": "http://engine:8080/ready",
                "Manifest": {
                    "engineMode": mode,
                    "supportedInputFormats": ["image/jpeg"],
                    "maxConcurrency": 50,
                },
                "Concurrency": concurrency,
                "Payload": {"weird.$": "$.not-a-path"},
            },
        }
    )


def compile_machine(operation: Operation, arns: StepFunctionArns = ARNS) -> dict[str, Any]:
    workflow = Workflow.model_validate({"Name": "W", "StartAt": STAGE, "Stages": {STAGE: {"End": True}}})
    stages = {STAGE: Stage(Name=STAGE, Operations=[OPERATOR])}
    definition: dict[str, Any] = json.loads(
        WorkflowGenerator(arns).compile(workflow, stages, {OPERATOR: operation})
    )
    return definition


def branch_states(machine: dict[str, Any]) -> dict[str, Any]:
    [branch] = machine["States"][stage_state(STAGE, "run")]["Branches"]
    states: dict[str, Any] = branch["States"]
    return states


def name(step: str) -> str:
    return operator_state(STAGE, OPERATOR, step)


def test_a_chunk_engine_runs_prepare_then_a_map_of_batches_then_merge() -> None:
    machine = compile_machine(engine_operation(concurrency=20))
    states = branch_states(machine)
    assert states[name("skip?")]["Default"] == name("prepare")
    prepare = states[name("prepare")]
    assert prepare["Resource"] == FN + "prep" and prepare["Next"] == name("prepared?")
    block = json.loads(prepare["Parameters"]["Engine"])  # a string: its Payload keys stay data
    assert block["Payload"] == {"weird.$": "$.not-a-path"}
    chunks = states[name("chunks")]
    assert chunks["Type"] == "Map" and chunks["MaxConcurrency"] == 3  # 20 calls = 3 lanes of 6 threads
    assert chunks["ItemsPath"] == "$.Event.EngineBatches" and chunks["ResultPath"] is None
    assert chunks["ItemProcessor"]["States"][name("call")]["Resource"] == FN + "call"
    assert states[name("merge")]["Next"] == name("results in?")
    # Chunks answered later: merge answers Started and how long to wait, then merges again.
    results_in = states[name("results in?")]
    assert results_in["Choices"][0]["StringEquals"] == "Started"
    assert results_in["Choices"][0]["Next"] == name("wait") and results_in["Default"] == name("check")
    wait = states[name("wait")]
    assert (wait["SecondsPath"], wait["Next"]) == ("$.Event.EngineWaitSeconds", name("merge"))
    assert [c["Next"] for c in chunks["Catch"]] == [name("failed"), name("failed")]


def test_the_compiled_machine_passes_asl_validator() -> None:
    assert asl_validator_problems(compile_machine(engine_operation())) == []


def test_a_stream_engine_waits_on_a_task_token_then_finishes() -> None:
    arns = StepFunctionArns(*STEPS, engine_start=FN + "start", engine_finish=FN + "finish")
    machine = compile_machine(engine_operation(mode="stream"), arns)
    states = branch_states(machine)
    start = states[name("start")]
    assert start["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert start["Parameters"]["FunctionName"] == FN + "start"
    assert start["Parameters"]["Payload"]["TaskToken.$"] == "$$.Task.Token"
    assert (start["HeartbeatSeconds"], start["TimeoutSeconds"]) == (60, 3600)
    assert start["Catch"][0] == {
        "ErrorEquals": ["States.HeartbeatTimeout", "States.Timeout"],
        "Next": name("timed out"),
        "ResultPath": "$.Failure",
    }
    assert states[name("timed out")]["Next"] == name("finish")
    assert states[name("finish")]["Resource"] == FN + "finish"
    assert name("wait-max") not in states  # no polling loop: waiting writes no history events
    assert asl_validator_problems(machine) == []


def test_a_deployment_without_the_engine_functions_refuses_engine_workflows() -> None:
    with pytest.raises(ValueError, match="no functions for stream or batch engines"):
        compile_machine(engine_operation(mode="stream"))
    with pytest.raises(ValueError, match="no engine-operator functions"):
        compile_machine(engine_operation(), StepFunctionArns(*STEPS))


def events_per_hour_of_media(states: dict[str, Any]) -> int:
    chunks = states[name("chunks")]
    item_states = chunks["ItemProcessor"]["States"].values()
    per_item = EVENTS_PER_MAP_ITERATION + sum(EVENTS_PER_STATE[state["Type"]] for state in item_states)
    outside = sum(
        EVENTS_PER_STATE[states[name(step)]["Type"]]
        for step in ("prepare", "prepared?", "chunks", "merge", "results in?")
    )
    return outside + per_item * len(batches(HOUR_OF_FRAMES, 1))


def test_the_history_events_of_an_hour_of_media_match_the_docs() -> None:
    events = events_per_hour_of_media(branch_states(compile_machine(engine_operation(concurrency=1))))
    stated = re.search(r"\*\*([\d,]+) history events per hour of media\*\*", DOC.read_text())
    assert stated is not None, "docs/engines.md must state the events per hour of media"
    assert int(stated.group(1).replace(",", "")) == events
    assert events < 25_000 / 10  # ten hours of media fit in one execution's history
