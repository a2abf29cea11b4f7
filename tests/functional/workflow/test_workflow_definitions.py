"""Workflows: graph validation, state machine deployment, and updates propagating to machines."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functional.workflow.workflow_helpers import PREFIX, WorkflowApi, chain, operation_body


@pytest.fixture
def library(api: WorkflowApi) -> WorkflowApi:
    """Operations A, B, C and a stage `Both` running A and B in parallel."""
    for name in ("A", "B", "C"):
        api.ok("POST", "/workflow/operation", body=operation_body(name, Level=1))
    api.ok("POST", "/workflow/stage", body={"Name": "Both", "Operations": ["A", "B"]})
    return api


def test_create_workflow_deploys_its_state_machine(library: WorkflowApi) -> None:
    body = library.ok("POST", "/workflow", body={**chain("Main", "Both", "_C"), "TimeoutSeconds": 600})
    assert body["ResourceType"] == "WORKFLOW"
    assert body["Version"] == 1
    assert body["TimeoutSeconds"] == 600
    machine = library.machine("Main")
    assert machine["name"] == f"{PREFIX}-Main"
    assert machine["roleArn"].endswith(":role/medialens-test-sfn")
    definition = library.machine_definition("Main")
    assert definition["StartAt"] == "Both"
    assert set(definition["States"]["Both"]["Result"]) == {"A", "B"}
    assert definition["States"]["_C"]["End"] is True
    assert library.ok("GET", "/workflow/stage/Both")["UsedBy"] == ["Main"]


def test_workflow_configuration_is_every_operations_defaults_by_stage(library: WorkflowApi) -> None:
    library.ok("POST", "/workflow", body=chain("Main", "Both", "_C"))
    defaults = {"MediaType": "Video", "Enabled": True, "Level": 1}
    assert library.ok("GET", "/workflow/configuration/Main") == {
        "Both": {"A": defaults, "B": defaults},
        "_C": {"C": defaults},
    }
    library.fails(404, "GET", "/workflow/configuration/Nope")


def test_get_workflow_shows_each_stage_as_mie_did_in_run_order(library: WorkflowApi) -> None:
    library.ok("POST", "/workflow", body=chain("Main", "_C", "Both"))
    body = library.ok("GET", "/workflow/Main")
    defaults = {"MediaType": "Video", "Enabled": True, "Level": 1}
    assert list(body["Stages"]) == ["_C", "Both"]  # `jq '.Stages | .[].Name'` lists them in run order
    assert body["Stages"]["_C"] == {
        "Name": "_C",
        "Operations": ["C"],
        "Configuration": {"C": defaults},
        "Next": "Both",
    }
    assert body["Stages"]["Both"] == {
        "Name": "Both",
        "Operations": ["A", "B"],
        "Configuration": {"A": defaults, "B": defaults},
        "End": True,
    }
    assert library.ok("GET", "/workflow") == [body]


def test_get_workflow_shows_a_stage_update_and_a_put_of_it_round_trips(library: WorkflowApi) -> None:
    library.ok("POST", "/workflow", body=chain("Main", "Both"))
    library.ok("PUT", "/workflow/stage", body={"Name": "Both", "Operations": ["A", "C"]})
    fetched = library.ok("GET", "/workflow/Main")
    assert fetched["Stages"]["Both"]["Operations"] == ["A", "C"]
    assert set(fetched["Stages"]["Both"]["Configuration"]) == {"A", "C"}
    fetched["TimeoutSeconds"] = 60
    updated = library.ok("PUT", "/workflow", body=fetched)
    assert updated["Version"] == 2
    assert updated["TimeoutSeconds"] == 60
    assert updated["Stages"]["Both"]["End"] is True
    # A stage's view is read-only, but a typo beside it is still refused.
    fetched["Stages"]["Both"]["Nxt"] = "x"
    assert "Nxt" in library.fails(400, "PUT", "/workflow", body=fetched)


@pytest.mark.parametrize(
    ("workflow", "expected"),
    [
        (chain("W", "Both", "Missing", "Absent"), "Absent, Missing"),
        ({"Name": "W", "StartAt": "Nowhere", "Stages": {"Both": {"End": True}}}, 'StartAt "Nowhere"'),
        ({"Name": "W", "StartAt": "Both", "Stages": {"Both": {"Next": "_C"}}}, "Both -> _C"),
        (
            {"Name": "W", "StartAt": "Both", "Stages": {"Both": {"End": True}, "_C": {"End": True}}},
            "exactly one stage must have End",
        ),
        (
            {"Name": "W", "StartAt": "Both", "Stages": {"Both": {"Next": "_C"}, "_C": {"Next": "Both"}}},
            "found: none",
        ),
        (
            {
                "Name": "W",
                "StartAt": "Both",
                "Stages": {"Both": {"Next": "_A"}, "_A": {"Next": "Both"}, "_C": {"End": True}},
            },
            "cycle",
        ),
        (
            {"Name": "W", "StartAt": "_A", "Stages": {"_A": {"End": True}, "_B": {"Next": "_A"}}},
            "not reachable",
        ),
        ({"Name": "W", "StartAt": "Both", "Stages": {"Both": {"Next": "_C", "End": True}}}, "exactly one"),
        ({"Name": "W", "StartAt": "Both", "Stages": {"Both": {"End": False}}}, "End"),
        ({"Name": "W", "StartAt": "Both", "Stages": {}}, "Stages"),
        ({**chain("W", "Both"), "TimeoutSeconds": 0}, "TimeoutSeconds"),
        ({**chain("bad name", "Both")}, "Name"),
    ],
)
def test_invalid_workflows_are_400_with_a_reason(
    library: WorkflowApi, workflow: dict[str, Any], expected: str
) -> None:
    message = library.fails(400, "POST", "/workflow", body=workflow)
    assert expected in message
    assert library.machine_names() == []
    assert library.ok("GET", "/workflow") == []


def test_duplicate_workflow_is_409_and_leaves_its_machine_alone(library: WorkflowApi) -> None:
    library.ok("POST", "/workflow", body=chain("Main", "Both"))
    before = library.machine_definition("Main")
    library.fails(409, "POST", "/workflow", body=chain("Main", "_C"))
    assert library.machine_definition("Main") == before


def test_put_workflow_updates_record_machine_and_stage_references(library: WorkflowApi) -> None:
    created = library.ok("POST", "/workflow", body=chain("Main", "Both"))
    updated = library.ok("PUT", "/workflow", body=chain("Main", "_C", "_A"))
    assert updated["Version"] == 2
    assert updated["StateMachineArn"] == created["StateMachineArn"]
    assert list(library.machine_definition("Main")["States"]) == ["_C", "_A"]
    assert library.ok("GET", "/workflow/stage/Both")["UsedBy"] == []
    assert library.ok("GET", "/workflow/stage/_C")["UsedBy"] == ["Main"]
    library.fails(404, "PUT", "/workflow", body=chain("Other", "_C"))
    library.fails(400, "PUT", "/workflow", body=chain("Main", "Nope"))
    assert library.ok("GET", "/workflow/Main")["Version"] == 2


def test_operation_update_is_deployed_to_every_workflow_using_it(library: WorkflowApi) -> None:
    library.ok("POST", "/workflow", body=chain("ViaStage", "Both"))
    library.ok("POST", "/workflow", body=chain("ViaSingleton", "_A"))
    library.ok("POST", "/workflow", body=chain("Unrelated", "_C"))
    unrelated = library.machine_definition("Unrelated")
    body = library.ok("PUT", "/workflow/operation", body=operation_body("A", Level=7))
    assert body["UpdatedWorkflows"] == ["ViaSingleton", "ViaStage"]
    assert (
        library.machine_definition("ViaStage")["States"]["Both"]["Result"]["A"]["Configuration"]["Level"] == 7
    )
    assert (
        library.machine_definition("ViaSingleton")["States"]["_A"]["Result"]["A"]["Configuration"]["Level"]
        == 7
    )
    assert library.machine_definition("Unrelated") == unrelated


def test_stage_update_is_deployed_to_its_workflows(library: WorkflowApi) -> None:
    library.ok("POST", "/workflow", body=chain("Main", "Both", "_C"))
    body = library.ok("PUT", "/workflow/stage", body={"Name": "Both", "Operations": ["B"]})
    assert body["UpdatedWorkflows"] == ["Main"]
    assert set(library.machine_definition("Main")["States"]["Both"]["Result"]) == {"B"}


def test_delete_workflow_removes_machine_and_frees_its_stages(library: WorkflowApi) -> None:
    library.ok("POST", "/workflow", body=chain("Main", "Both"))
    assert library.machine_names() == [f"{PREFIX}-Main"]
    assert library.ok("DELETE", "/workflow/Main") == {
        "ResourceType": "WORKFLOW",
        "Name": "Main",
        "Deleted": True,
    }
    assert library.machine_names() == []
    library.fails(404, "GET", "/workflow/Main")
    library.fails(404, "DELETE", "/workflow/Main")
    library.ok("DELETE", "/workflow/stage/Both")


def test_compiler_rejecting_a_workflow_is_400(library: WorkflowApi, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> str:
        raise ValueError("state name too long")

    monkeypatch.setattr(library.compiler, "compile", refuse)
    assert "state name too long" in library.fails(400, "POST", "/workflow", body=chain("Main", "Both"))
    library.fails(404, "GET", "/workflow/Main")


def test_without_the_generator_definitions_work_and_workflow_writes_fail_cleanly(
    bare_api: WorkflowApi,
) -> None:
    bare_api.ok("POST", "/workflow/operation", body=operation_body("A"))
    bare_api.ok("POST", "/workflow/stage", body={"Name": "S", "Operations": ["A"]})
    bare_api.fails(500, "POST", "/workflow", body=chain("Main", "S"))
    bare_api.fails(404, "GET", "/workflow/Main")
    assert bare_api.ok("GET", "/workflow/stage/S")["UsedBy"] == []
