"""The state machines the deployed workflow API will generate pass the independent ASL validator.

The machines are compiled by the real generator from what the stack deploys: the step functions'
ARNs as the workflow API's environment gives them, the library's operators and its registered
stages and workflows, plus one workflow that runs every operator (sync and async) across stages.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.workflow.generator import StepFunctionArns, WorkflowGenerator
from api.workflow.models import Operation, Stage, Workflow
from operators.catalog import load_catalog
from operators.library_workflows import library_stages, library_workflows
from tests.infrastructure.conftest import Synthesized, engine_operation_bodies, library_operator_names
from tests.support.asl_validator import asl_validator_problems, validator_problem

REGION_ACCOUNT = "eu-west-1:123456789012"


def _arn(logical_id: str) -> str:
    return f"arn:aws:lambda:{REGION_ACCOUNT}:function:{logical_id}"


@pytest.fixture(scope="module")
def generator(synthesized: Synthesized) -> WorkflowGenerator:
    variables = synthesized.resources[synthesized.logical_id(synthesized.stack.workflow_api.function)][
        "Properties"
    ]["Environment"]["Variables"]
    # Each step ARN is a GetAtt of a deployed function; stand in a concrete ARN for it.
    environment = {
        name: _arn(value["Fn::GetAtt"][0])
        for name, value in variables.items()
        if isinstance(value, dict) and "Fn::GetAtt" in value
    }
    return WorkflowGenerator(StepFunctionArns.from_env(environment))


@pytest.fixture(scope="module")
def operations(synthesized: Synthesized) -> dict[str, Operation]:
    functions = synthesized.stack.operators.functions
    found = {}
    for entry in load_catalog():
        definition = entry.definition
        monitor = functions.get((definition.Name, "monitor"))
        body = definition.operation_request(
            _arn(synthesized.logical_id(functions[(definition.Name, "start")])),
            _arn(synthesized.logical_id(monitor)) if monitor is not None else None,
        )
        found[definition.Name] = Operation.model_validate(body)
    return found


@pytest.fixture(scope="module")
def engine_operations() -> dict[str, Operation]:
    """The sample engines' operators the stack registers (context `sampleEngines`)."""
    return {body["Name"]: Operation.model_validate(body) for body in engine_operation_bodies()}


@pytest.fixture(autouse=True)
def _require_validator() -> None:
    problem = validator_problem()
    if problem is not None:
        pytest.fail(problem)


def _validated(definition: str) -> list[str]:
    return asl_validator_problems(definition)


def test_the_library_workflows_compile_to_valid_asl(
    generator: WorkflowGenerator, operations: dict[str, Operation], engine_operations: dict[str, Operation]
) -> None:
    names = library_operator_names()
    stages = {body["Name"]: Stage.model_validate(body) for body in library_stages(names)}
    workflows = library_workflows(names)
    assert {body["Name"] for body in workflows} == {
        "MediaAnalysisWorkflow",
        "VideoWorkflow",
        "ImageWorkflow",
        "TextWorkflow",
    }
    everything = {**operations, **engine_operations}
    for body in workflows:
        definition = generator.compile(Workflow.model_validate(body), stages, everything)
        assert _validated(definition) == [], body["Name"]


def test_a_workflow_of_every_deployed_operator_compiles_to_valid_asl(
    generator: WorkflowGenerator, operations: dict[str, Operation]
) -> None:
    names = sorted(operations)
    # Sync and async operators together, spread over three stages run in sequence.
    groups = [names[index::3] for index in range(3)]
    stages = {
        f"Stage{index}": Stage(Name=f"Stage{index}", Operations=group) for index, group in enumerate(groups)
    }
    sequence: dict[str, Any] = {
        f"Stage{index}": ({"Next": f"Stage{index + 1}"} if index < 2 else {"End": True}) for index in range(3)
    }
    workflow = Workflow.model_validate({"Name": "Everything", "StartAt": "Stage0", "Stages": sequence})
    assert {op.Type for op in operations.values()} == {"Sync", "Async"}

    definition = generator.compile(workflow, stages, operations)

    assert _validated(definition) == []
    for operation in operations.values():
        assert operation.StartLambdaArn in definition


def _engine_operation(name: str, mode: str) -> Operation:
    return Operation.model_validate(
        {
            "Name": name,
            "Configuration": {"MediaType": "Audio", "Enabled": True},
            "Engine": {
                "ProcessUrl": "https://engine.example/process",
                "ReadyUrl": "https://engine.example/ready",
                "Manifest": {"engineMode": mode, "supportedInputFormats": ["audio/*"]},
                "HeartbeatTimeoutSeconds": 120,
                "MaxTTLSeconds": 7200,
            },
        }
    )


def test_a_workflow_of_stream_batch_and_chunk_engines_compiles_with_the_deployed_engine_functions(
    synthesized: Synthesized, generator: WorkflowGenerator
) -> None:
    # The deployed workflow API compiles it (no "no functions for stream or batch engines" 400).
    operations = {
        "Live": _engine_operation("Live", "stream"),
        "Batch": _engine_operation("Batch", "batch"),
        "Chunks": _engine_operation("Chunks", "chunk"),
    }
    stages = {"Listen": Stage(Name="Listen", Operations=sorted(operations))}
    workflow = Workflow.model_validate(
        {"Name": "Engines", "StartAt": "Listen", "Stages": {"Listen": {"End": True}}}
    )

    definition = generator.compile(workflow, stages, operations)

    assert _validated(definition) == []
    functions = synthesized.stack.engines.functions
    start, finish = (
        _arn(synthesized.logical_id(functions[field])) for field in ("engine_start", "engine_finish")
    )
    text = json.dumps(json.loads(definition))
    assert '"Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken"' in text
    assert start in text and finish in text
    assert _arn(synthesized.logical_id(functions["engine_prepare"])) in text
