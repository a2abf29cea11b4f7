"""The workflow API's OpenAPI document: current in docs/, complete, and the one the API serves."""

from __future__ import annotations

import json
import re
from typing import Any

from api.workflow import openapi
from api.workflow.app import create_app
from api.workflow.executions.schema import ExecutionStatus
from api.workflow.routes.root import OPENAPI_PATH
from tests.functional.workflow.execution_fixtures import Executions, executions
from tests.functional.workflow.workflow_helpers import WorkflowApi
from tests.support.openapi_errors import (
    assert_errors_of_each_kind,
    assert_no_nullable_parameter,
    expected_error_schema,
)

__all__ = ["executions"]  # the fixture, imported so pytest finds it

REGENERATE = "docs/workflow-openapi.json is stale; regenerate with: .venv/bin/python -m api.workflow.openapi"
LIST_ROUTES = [
    "/workflow/operation",
    "/workflow/stage",
    "/workflow",
    "/workflow/execution",
    "/workflow/execution/asset/{AssetId}",
    "/workflow/execution/status/{Status}",
]

# Written out so a route that disappears (or is renamed) fails here, not only in a client.
EXPECTED_ROUTES = {
    ("get", "/"),
    ("get", "/system/configuration"),
    ("post", "/system/configuration"),
    ("get", "/workflow/operation"),
    ("post", "/workflow/operation"),
    ("put", "/workflow/operation"),
    ("get", "/workflow/operation/{Name}"),
    ("delete", "/workflow/operation/{Name}"),
    ("get", "/workflow/stage"),
    ("post", "/workflow/stage"),
    ("put", "/workflow/stage"),
    ("get", "/workflow/stage/{Name}"),
    ("delete", "/workflow/stage/{Name}"),
    ("get", "/workflow"),
    ("post", "/workflow"),
    ("put", "/workflow"),
    ("get", "/workflow/{Name}"),
    ("delete", "/workflow/{Name}"),
    ("get", "/workflow/configuration/{Name}"),
    ("post", "/workflow/execution"),
    ("get", "/workflow/execution"),
    ("get", "/workflow/execution/{Id}"),
    ("delete", "/workflow/execution/{Id}"),
    ("get", "/workflow/execution/asset/{AssetId}"),
    ("get", "/workflow/execution/status/{Status}"),
}


def _documented(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method, path) for path, methods in document["paths"].items() for method in methods}


def _served_routes() -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every route the resolver answers, the OpenAPI route itself excluded.

    Powertools keeps its routes in two private lists and offers no public way to enumerate them;
    if it renames them this test breaks loudly rather than passing on an empty set.
    """
    app = create_app()
    routes = [*app._static_routes, *app._dynamic_routes]
    assert routes, "the resolver registered no routes"
    hidden = {(route.method.lower(), route.openapi_path) for route in routes if not route.include_in_schema}
    assert hidden == {("get", OPENAPI_PATH)}, hidden
    return {(route.method.lower(), route.openapi_path) for route in routes if route.include_in_schema}


def test_docs_copy_is_current() -> None:
    assert openapi.DOCS_PATH.read_text(encoding="utf-8") == openapi.render(), REGENERATE


def test_rendering_is_deterministic_sorted_and_ends_with_a_newline() -> None:
    text = openapi.render()
    assert text == openapi.render()
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_every_route_the_resolver_serves_is_documented() -> None:
    documented = _documented(openapi.openapi_document())
    served = _served_routes()
    assert served - documented == set(), "served but not documented"
    assert documented - served == set(), "documented but not served"


def test_documented_routes_are_the_expected_ones() -> None:
    assert _documented(openapi.openapi_document()) == EXPECTED_ROUTES


def test_path_parameters_are_documented_with_their_route() -> None:
    for path, methods in openapi.openapi_document()["paths"].items():
        in_path = set(re.findall(r"\{(\w+)\}", path))
        for method, operation in methods.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == in_path, (method, path)


def test_error_responses_reference_the_error_schemas() -> None:
    document = openapi.openapi_document()
    error_model = document["components"]["schemas"]["ErrorResponse"]
    assert set(error_model["required"]) == {"Code", "Message"}
    assert document["components"]["schemas"]["GatewayErrorResponse"]["required"] == ["message"]
    seen: set[str] = set()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            assert "200" in responses, (method, path)
            assert "422" not in responses, (method, path)
            for status, response in responses.items():
                if status == "200":
                    continue
                seen.add(status)
                schema = response["content"]["application/json"]["schema"]
                expected = expected_error_schema(status)
                assert schema == expected, (method, path, status)
    assert {"400", "403", "404", "409", "413", "415"} <= seen


def test_no_parameter_is_documented_as_nullable() -> None:
    assert_no_nullable_parameter(openapi.openapi_document())


def test_every_route_documents_the_errors_of_its_kind() -> None:
    assert_errors_of_each_kind(openapi.openapi_document())


def test_list_routes_declare_the_array_they_return() -> None:
    paths = openapi.openapi_document()["paths"]
    for path in LIST_ROUTES:
        schema = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["type"] == "array", path
        assert schema["items"]["type"] == "object", path


def test_list_routes_answer_the_array_they_declare(executions: Executions) -> None:
    asset_id = executions.submit()["AssetId"]
    for path in LIST_ROUTES:
        answer = executions.api.ok("GET", path.replace("{AssetId}", asset_id).replace("{Status}", "Queued"))
        assert isinstance(answer, list), path
        assert answer and all(isinstance(item, dict) for item in answer), path


def test_status_is_an_enum_of_execution_statuses() -> None:
    operation = openapi.openapi_document()["paths"]["/workflow/execution/status/{Status}"]["get"]
    (parameter,) = [p for p in operation["parameters"] if p["name"] == "Status"]
    schema = parameter["schema"]
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = openapi.openapi_document()["components"]["schemas"][name]
    assert schema["enum"] == [status.value for status in ExecutionStatus]


def test_an_unknown_status_is_400_naming_the_allowed_ones(api: WorkflowApi) -> None:
    message = api.fails(400, "GET", "/workflow/execution/status/Running")
    assert "Queued" in message and "Cancelled" in message


def test_execution_routes_document_their_errors() -> None:
    paths = openapi.openapi_document()["paths"]
    assert set(paths["/workflow/execution"]["post"]["responses"]) == {
        "200",
        "400",
        "403",
        "404",
        "409",
        "413",
        "415",
    }
    assert set(paths["/workflow/execution/{Id}"]["get"]["responses"]) == {"200", "400", "403", "404"}
    assert set(paths["/workflow/execution/{Id}"]["delete"]["responses"]) == {
        "200",
        "400",
        "403",
        "404",
        "409",
    }


def test_served_document_is_the_committed_one(api: WorkflowApi) -> None:
    served = api.ok("GET", OPENAPI_PATH)
    committed = json.loads(openapi.DOCS_PATH.read_text(encoding="utf-8"))
    assert served == committed, REGENERATE
