"""Stages: operations must exist, references are tracked, singleton stages are the operation's."""

from __future__ import annotations

from tests.functional.workflow.workflow_helpers import WorkflowApi, chain, operation_body


def _operations(api: WorkflowApi, *names: str) -> None:
    for name in names:
        api.ok("POST", "/workflow/operation", body=operation_body(name, Level=name.lower()))


def test_create_stage_returns_each_operations_default_configuration(api: WorkflowApi) -> None:
    _operations(api, "Labels", "Faces")
    body = api.ok("POST", "/workflow/stage", body={"Name": "Detect", "Operations": ["Labels", "Faces"]})
    assert body["ResourceType"] == "STAGE"
    assert body["Operations"] == ["Labels", "Faces"]
    assert body["Configuration"] == {
        "Labels": {"MediaType": "Video", "Enabled": True, "Level": "labels"},
        "Faces": {"MediaType": "Video", "Enabled": True, "Level": "faces"},
    }
    assert api.ok("GET", "/workflow/operation/Faces")["UsedBy"] == ["Detect"]


def test_stage_with_unknown_operations_is_400_naming_each(api: WorkflowApi) -> None:
    _operations(api, "Real")
    message = api.fails(
        400, "POST", "/workflow/stage", body={"Name": "S", "Operations": ["Real", "Nope", "Nada"]}
    )
    assert "Nope" in message and "Nada" in message and "Real" not in message
    api.fails(404, "GET", "/workflow/stage/S")
    assert api.ok("GET", "/workflow/operation/Real")["UsedBy"] == []


def test_stage_shape_errors_are_400(api: WorkflowApi) -> None:
    _operations(api, "One")
    assert "more than once" in api.fails(
        400, "POST", "/workflow/stage", body={"Name": "Twice", "Operations": ["One", "One"]}
    )
    api.fails(400, "POST", "/workflow/stage", body={"Name": "Empty", "Operations": []})
    assert "reserved" in api.fails(
        400, "POST", "/workflow/stage", body={"Name": "_Mine", "Operations": ["One"]}
    )


def test_duplicate_stage_is_409(api: WorkflowApi) -> None:
    _operations(api, "One")
    api.ok("POST", "/workflow/stage", body={"Name": "S", "Operations": ["One"]})
    assert "already exists" in api.fails(
        409, "POST", "/workflow/stage", body={"Name": "S", "Operations": ["One"]}
    )
    assert "already exists" in api.fails(409, "POST", "/workflow/operation", body=operation_body("One"))


def test_put_stage_moves_operation_references(api: WorkflowApi) -> None:
    _operations(api, "Old", "New")
    api.ok("POST", "/workflow/stage", body={"Name": "S", "Operations": ["Old"]})
    body = api.ok("PUT", "/workflow/stage", body={"Name": "S", "Operations": ["New"]})
    assert body["Version"] == 2
    assert body["Configuration"] == {"New": {"MediaType": "Video", "Enabled": True, "Level": "new"}}
    assert api.ok("GET", "/workflow/operation/Old")["UsedBy"] == []
    assert api.ok("GET", "/workflow/operation/New")["UsedBy"] == ["S"]
    api.ok("DELETE", "/workflow/operation/Old")
    api.fails(409, "DELETE", "/workflow/operation/New")


def test_put_unknown_stage_is_404_and_singleton_stage_is_400(api: WorkflowApi) -> None:
    _operations(api, "One")
    api.fails(404, "PUT", "/workflow/stage", body={"Name": "Ghost", "Operations": ["One"]})
    assert "operation" in api.fails(
        400, "PUT", "/workflow/stage", body={"Name": "_One", "Operations": ["One"]}
    )
    assert "operation" in api.fails(400, "DELETE", "/workflow/stage/_One")


def test_delete_stage_used_by_workflow_is_409_then_allowed_once_unused(api: WorkflowApi) -> None:
    _operations(api, "One")
    api.ok("POST", "/workflow/stage", body={"Name": "S", "Operations": ["One"]})
    api.ok("POST", "/workflow", body=chain("Flow", "S"))
    assert "Flow" in api.fails(409, "DELETE", "/workflow/stage/S")
    api.ok("DELETE", "/workflow/Flow")
    assert api.ok("DELETE", "/workflow/stage/S")["Deleted"] is True
    assert api.ok("GET", "/workflow/operation/One")["UsedBy"] == []
    api.fails(404, "DELETE", "/workflow/stage/S")


def test_reference_to_an_operation_deleted_meanwhile_fails_the_whole_transaction(api: WorkflowApi) -> None:
    # The race the API cannot produce on demand: the check passed, then the operation vanished.
    from api.workflow.errors import BadRequestError, ConflictError
    from api.workflow.table import DefinitionsTable, Kind, Record
    from tests.functional.workflow.workflow_helpers import TABLE

    table = DefinitionsTable(api.dynamodb, TABLE)
    stage = Record(
        Kind.STAGE, "Late", {"Name": "Late", "Operations": ["Vanished"]}, created="t", modified="t"
    )
    gone = BadRequestError("operation 'Vanished' was deleted during this request")
    try:
        table.transact(
            [
                table.create(stage, ConflictError("exists")),
                table.add_user(Kind.OPERATION, "Vanished", "Late", gone),
            ]
        )
    except BadRequestError as exc:
        assert exc is gone
    else:
        raise AssertionError("transaction should have failed")
    assert table.get(Kind.STAGE, "Late") is None
