"""The API as a whole: root, OpenAPI coverage of every route, unknown routes, misconfiguration."""

from __future__ import annotations

import boto3
import pytest

from api.workflow import handler
from tests.functional.workflow.workflow_helpers import REGION, WorkflowApi, operation_body

DEFINITION_ROUTES = {
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
}


def test_root_names_the_api_and_its_openapi_document(api: WorkflowApi) -> None:
    body = api.ok("GET", "/")
    assert body["Name"] == "Medialens workflow API"
    assert body["OpenApi"] == "/openapi.json"


def test_openapi_document_lists_every_definitions_route(api: WorkflowApi) -> None:
    document = api.ok("GET", "/openapi.json")
    routes = {(method, path) for path, methods in document["paths"].items() for method in methods}
    assert routes >= DEFINITION_ROUTES, DEFINITION_ROUTES - routes
    assert document["info"]["title"] == "Medialens workflow API"


def test_openapi_documents_400_error_bodies_and_no_422(api: WorkflowApi) -> None:
    document = api.ok("GET", "/openapi.json")
    create = document["paths"]["/workflow/operation"]["post"]
    assert {"200", "400", "409"} <= set(create["responses"])
    assert all(
        "422" not in op["responses"] for methods in document["paths"].values() for op in methods.values()
    )
    assert "Operation" in document["components"]["schemas"]


def test_unknown_route_is_a_json_404(api: WorkflowApi) -> None:
    message = api.fails(404, "GET", "/workflow/operation/Foo/bar")
    assert "no route" in message


def test_missing_configuration_is_a_500_without_details(
    api: WorkflowApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKFLOW_DEFINITIONS_TABLE")
    message = api.fails(500, "GET", "/workflow")
    assert message == "service misconfigured"


def test_state_machine_prefix_too_long_for_machine_names_is_refused(
    api: WorkflowApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATE_MACHINE_PREFIX", "p" * 16)
    api.fails(500, "GET", "/workflow")


def test_concurrent_requests_from_threads_each_see_their_own_request(api: WorkflowApi) -> None:
    # The local runtime serves requests from several threads: neither the services nor the event
    # being resolved may leak between them. (Reads only: moto's in-process transactions are not
    # thread-safe, which would test moto rather than the API.)
    from concurrent.futures import ThreadPoolExecutor

    names = [f"Op{index}" for index in range(8)]
    for name in names:
        api.ok("POST", "/workflow/operation", body=operation_body(name))

    def fetch(index: int) -> str:
        status, body, _ = api.call("GET", f"/workflow/operation/{names[index % 8]}")
        assert status == 200, body
        return str(body["Name"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(fetch, range(64))) == [names[index % 8] for index in range(64)]


def test_the_cursor_key_can_come_from_secrets_manager(
    api: WorkflowApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Deployed, the key is a secret: the function gets its ARN, never the key itself.
    secret = boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="medialens-test-cursor-key", SecretString="a-key-only-secrets-manager-knows"
    )
    monkeypatch.delenv("CURSOR_SIGNING_KEY")
    monkeypatch.setenv("CURSOR_SIGNING_SECRET_ARN", secret["ARN"])
    handler._secret_key.cache_clear()
    for name in ("OpA", "OpB", "OpC"):
        api.ok("POST", "/workflow/operation", body=operation_body(name))

    _, first, headers = api.call("GET", "/workflow/operation", query={"limit": "2"})
    cursor = headers["X-Next-Cursor"]
    _, rest, _ = api.call("GET", "/workflow/operation", query={"limit": "2", "cursor": cursor})

    assert [item["Name"] for item in first + rest] == ["OpA", "OpB", "OpC"]
    # A cursor signed with another key is refused: the secret's key really is the one in use.
    monkeypatch.setenv("CURSOR_SIGNING_KEY", "some-other-key-entirely-0123456789")
    assert api.call("GET", "/workflow/operation", query={"limit": "2", "cursor": cursor})[0] == 400
    handler._secret_key.cache_clear()


def test_without_a_cursor_key_or_secret_the_service_is_misconfigured(
    api: WorkflowApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CURSOR_SIGNING_KEY")
    assert api.fails(500, "GET", "/workflow") == "service misconfigured"
