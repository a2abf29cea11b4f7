"""How the deployed functions are wired: environments the handlers can load, layers, events, options."""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.dataplane.config import DataplaneConfig
from api.workflow.config import WORKFLOW_DEFINITIONS_TABLE, WorkflowApiConfig
from api.workflow.executions.environment import EXECUTION_QUEUE_URL, WORKFLOW_SCHEDULER_LAMBDA_ARN
from api.workflow.generator.arns import StepFunctionArns
from infrastructure.python_function import RUNTIME
from infrastructure.state_machines import INVOKE_TAG_KEY
from operators.catalog import load_catalog
from operators.library_workflows import library_stages, library_workflows
from tests.infrastructure.conftest import Synthesized, engine_operation_bodies, library_operator_names

OUTPUTS = {
    "WorkflowApiEndpoint",
    "DataplaneApiEndpoint",
    "DataplaneBucket",
    "OperatorSdkLayerArn",
    "DataplaneStreamArn",
    "EngineWebhookEndpoint",
}


def _deployed_environment(synthesized: Synthesized, function: Any) -> dict[str, str]:
    """A function's environment as Lambda would see it: every value a plausible concrete string."""
    variables = synthesized.resources[synthesized.logical_id(function)]["Properties"]["Environment"][
        "Variables"
    ]
    return {name: _concrete(name, value) for name, value in variables.items()}


def _concrete(name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    # Stand-ins of the right shape for values CloudFormation fills in at deploy time.
    if name.endswith("_ARN"):
        return "arn:aws:lambda:eu-west-1:123456789012:function:stand-in"
    if name.endswith(("_ENDPOINT", "_URL")):
        return "https://stand-in.example/api"
    return "stand-in"


def test_workflow_api_environment_loads_in_its_handler_config(synthesized: Synthesized) -> None:
    environment = _deployed_environment(synthesized, synthesized.stack.workflow_api.function)

    config = WorkflowApiConfig.from_env(environment)
    arns = StepFunctionArns.from_env(environment)

    assert config.cursor_signing_secret_arn is not None
    assert config.operator_invoke_tag == f"{INVOKE_TAG_KEY}={synthesized.stack.stack_name}"
    assert arns.complete_workflow.startswith("arn:")
    assert {EXECUTION_QUEUE_URL, WORKFLOW_SCHEDULER_LAMBDA_ARN} <= set(environment)


def test_dataplane_api_environment_loads_in_its_handler_config(synthesized: Synthesized) -> None:
    environment = _deployed_environment(synthesized, synthesized.stack.dataplane_api.function)

    DataplaneConfig.from_env(environment)


def test_stand_in_environments_would_catch_a_missing_variable(synthesized: Synthesized) -> None:
    # The two tests above are only worth something if a dropped variable fails the load.
    environment = _deployed_environment(synthesized, synthesized.stack.workflow_api.function)
    del environment[WORKFLOW_DEFINITIONS_TABLE]
    with pytest.raises(Exception, match="missing environment variables"):
        WorkflowApiConfig.from_env(environment)


def test_every_function_of_ours_runs_the_pinned_runtime_with_the_sdk_layer_and_optional_tracing(
    synthesized: Synthesized,
) -> None:
    layer_id = synthesized.logical_id(synthesized.stack.layer)
    ours = {
        key: function
        for key, function in synthesized.of_type("AWS::Lambda::Function").items()
        if str(function["Properties"].get("Handler", "")).startswith(("api.", "operators."))
    }
    assert len(ours) >= 20
    tracing = synthesized.condition_id(synthesized.stack.parameters.tracing_enabled)
    for key, function in ours.items():
        properties = function["Properties"]
        assert properties["Runtime"] == RUNTIME.name, key
        assert {"Ref": layer_id} in properties["Layers"], key
        # X-Ray and powertools' Tracer both follow EnableXrayTrace.
        assert properties["TracingConfig"] == {
            "Fn::If": [tracing, {"Mode": "Active"}, {"Ref": "AWS::NoValue"}]
        }
        assert properties["Environment"]["Variables"]["POWERTOOLS_TRACE_DISABLED"] == {
            "Fn::If": [tracing, "false", "true"]
        }


def test_each_library_operator_is_a_function_with_its_declared_handler_timeout_and_memory(
    synthesized: Synthesized,
) -> None:
    functions = synthesized.stack.operators.functions
    for entry in load_catalog():
        definition = entry.definition
        for role, handler in definition.handlers().items():
            properties = synthesized.resources[synthesized.logical_id(functions[(definition.Name, role)])][
                "Properties"
            ]
            assert properties["Handler"] == handler
            assert properties["Timeout"] == definition.TimeoutSeconds
            assert properties["MemorySize"] == definition.MemoryMB
            assert len(properties["Layers"]) == 2  # the SDK and the media tools


def test_test_operators_exist_only_with_deploy_test_resources(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    condition = synthesized.condition_id(stack.parameters.test_resources_enabled)
    for entry in load_catalog():
        function = synthesized.resources[
            synthesized.logical_id(stack.operators.functions[(entry.definition.Name, "start")])
        ]
        assert function.get("Condition") == (condition if entry.definition.TestResource else None)
    test_scope = stack.operators.node.find_child("TestOperators")
    under = synthesized.under(test_scope)
    assert under and all(resource.get("Condition") == condition for resource in under.values())


def test_registration_registers_the_library_with_test_operators_conditional(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    [resource] = synthesized.of_type("Custom::MedialensLibrary").values()
    properties = resource["Properties"]
    condition = synthesized.condition_id(stack.parameters.test_resources_enabled)
    conditional = [item for item in properties["Operations"] if "Fn::If" in item]
    assert all(
        item["Fn::If"][0] == condition and item["Fn::If"][2] == {"Ref": "AWS::NoValue"}
        for item in conditional
    )
    test_names = sorted(e.definition.Name for e in load_catalog() if e.definition.TestResource)
    assert sorted(_operation_name(item["Fn::If"][1]) for item in conditional) == test_names
    engines = engine_operation_bodies()
    assert len(properties["Operations"]) == len(load_catalog()) + len(engines)
    # The sample engines' operators as the deployer placed them (context), after the catalog's.
    assert [json.loads(body) for body in properties["Operations"][-len(engines) :]] == engines
    names = library_operator_names()
    assert [json.loads(s) for s in properties["Stages"]] == library_stages(names)
    assert [json.loads(w) for w in properties["Workflows"]] == library_workflows(names)
    assert {json.loads(w)["Name"] for w in properties["Workflows"]} >= {
        "VideoWorkflow",
        "ImageWorkflow",
        "TextWorkflow",
    }
    assert properties["MaxConcurrentWorkflows"] == {"Ref": "MaxConcurrentWorkflows"}
    # It may only run once the workflow API's stage is deployed.
    stage_id = synthesized.logical_id(stack.workflow_api.service.rest_api.api.deployment_stage)
    assert stage_id in resource["DependsOn"]


def _operation_name(document: Any) -> str:
    """The Name in an operation body rendered as Fn::Join of JSON text and ARNs."""
    text = "".join(part if isinstance(part, str) else "arn" for part in document["Fn::Join"][1])
    return str(json.loads(text)["Name"])


def test_execution_queue_is_drained_by_the_scheduler_not_by_an_event_source(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    queue_id = synthesized.logical_id(stack.scheduler.queue)
    mappings = synthesized.of_type("AWS::Lambda::EventSourceMapping").values()
    assert all(queue_id not in json.dumps(m["Properties"]["EventSourceArn"]) for m in mappings)
    rule = synthesized.resources[synthesized.logical_id(stack.scheduler.rule)]["Properties"]
    assert rule["ScheduleExpression"] == "rate(1 minute)"
    assert rule["Targets"][0]["Arn"] == {
        "Fn::GetAtt": [synthesized.logical_id(stack.scheduler.function), "Arn"]
    }


def test_status_change_rule_matches_only_ending_executions_of_this_stacks_machines(
    synthesized: Synthesized,
) -> None:
    stack = synthesized.stack
    rule = synthesized.resources[synthesized.logical_id(stack.status_events.rule)]["Properties"]
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["aws.states"]
    assert pattern["detail-type"] == ["Step Functions Execution Status Change"]
    assert sorted(pattern["detail"]["status"]) == ["ABORTED", "FAILED", "TIMED_OUT"]
    [prefix_match] = pattern["detail"]["stateMachineArn"]
    prefix = json.dumps(prefix_match["prefix"])
    assert f":stateMachine:{stack.machines.prefix}-" in prefix
    assert rule["Targets"][0]["Arn"] == {
        "Fn::GetAtt": [synthesized.logical_id(stack.status_events.function), "Arn"]
    }


def test_analytics_pipeline_exists_only_when_asked_and_reports_partial_batch_failures(
    synthesized: Synthesized,
) -> None:
    stack = synthesized.stack
    condition = synthesized.condition_id(stack.parameters.analytics_enabled)
    under = synthesized.under(stack.analytics)
    assert len(under) > 10
    assert all(resource.get("Condition") == condition for resource in under.values())
    [mapping] = [m for m in synthesized.of_type("AWS::Lambda::EventSourceMapping").values()]
    properties = mapping["Properties"]
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["BisectBatchOnFunctionError"] is True
    assert "OnFailure" in properties["DestinationConfig"]
    for name in ("DashboardsUrl", "DashboardsUserPoolId"):
        assert synthesized.template["Outputs"][name]["Condition"] == condition


def test_outputs_carry_the_names_the_awscurl_examples_use(synthesized: Synthesized) -> None:
    outputs = synthesized.template["Outputs"]
    assert set(outputs) >= OUTPUTS
    endpoint = json.dumps(outputs["WorkflowApiEndpoint"]["Value"])
    assert ".execute-api." in endpoint and "/api" in endpoint


def test_parameters_are_mies(synthesized: Synthesized) -> None:
    parameters = synthesized.template["Parameters"]
    assert parameters["MaxConcurrentWorkflows"]["Type"] == "Number"
    for name in ("EnableXrayTrace", "DeployAnalyticsPipeline", "DeployTestResources"):
        assert parameters[name]["AllowedValues"] == ["true", "false"]
        assert parameters[name]["Default"] == "false"


def _deploy_time(value: Any, parameters: dict[str, str], conditions: dict[str, bool]) -> Any:
    """A property as CloudFormation hands it to the function: intrinsics resolved, NoValue dropped."""
    if isinstance(value, list):
        resolved = [_deploy_time(item, parameters, conditions) for item in value]
        return [item for item in resolved if item is not _NO_VALUE]
    if not isinstance(value, dict):
        return value
    if value == {"Ref": "AWS::NoValue"}:
        return _NO_VALUE
    if "Ref" in value:
        return parameters.get(value["Ref"], f"ref-{value['Ref']}")
    if "Fn::GetAtt" in value:
        return f"arn:aws:lambda:eu-west-1:123456789012:function:{value['Fn::GetAtt'][0]}"
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(str(_deploy_time(part, parameters, conditions)) for part in parts)
    if "Fn::If" in value:
        condition, when_true, when_false = value["Fn::If"]
        return _deploy_time(when_true if conditions[condition] else when_false, parameters, conditions)
    return {key: _deploy_time(item, parameters, conditions) for key, item in value.items()}


_NO_VALUE = object()


@pytest.mark.parametrize("test_resources", [True, False])
def test_registration_properties_as_deployed_are_what_the_handler_accepts(
    synthesized: Synthesized, test_resources: bool
) -> None:
    from api.registration.properties import parse_properties
    from api.workflow.models import Operation, Stage, Workflow

    stack = synthesized.stack
    [resource] = synthesized.of_type("Custom::MedialensLibrary").values()
    parameters = {name: str(p.get("Default")) for name, p in synthesized.template["Parameters"].items()}
    conditions = {synthesized.condition_id(stack.parameters.test_resources_enabled): test_resources}

    deployed = _deploy_time(resource["Properties"], parameters, conditions)
    # CloudFormation stringifies every non-string value it passes on: the bodies must be JSON text.
    for name in ("Operations", "Stages", "Workflows"):
        assert all(isinstance(item, str) for item in deployed[name]), name
    properties = parse_properties(deployed)

    catalog = load_catalog()
    expected = {e.definition.Name for e in catalog if test_resources or not e.definition.TestResource}
    expected |= {body["Name"] for body in engine_operation_bodies()}
    assert {body["Name"] for body in properties.Operations} == expected
    for body in properties.Operations:  # what POST /workflow/operation will validate
        operation = Operation.model_validate(body)
        if operation.Engine is None:
            assert operation.StartLambdaArn.startswith("arn:aws:lambda:")
        else:
            assert str(operation.Engine.ProcessUrl).startswith("https://")
    names = library_operator_names()
    assert [Stage.model_validate(body).Name for body in properties.Stages] == [
        s["Name"] for s in library_stages(names)
    ]
    assert [Workflow.model_validate(body).Name for body in properties.Workflows] == [
        w["Name"] for w in library_workflows(names)
    ]
    assert properties.MaxConcurrentWorkflows == int(parameters["MaxConcurrentWorkflows"])
