"""The OpenAPI document covers every route, and the committed copy in docs/ is current."""

from __future__ import annotations

import json

from api.dataplane import openapi
from api.dataplane.app import build_app
from tests.support.openapi_errors import (
    assert_errors_of_each_kind,
    assert_no_nullable_parameter,
    expected_error_schema,
)

ROUTES = {
    ("get", "/"),
    ("post", "/create"),
    ("post", "/upload"),
    ("post", "/download"),
    ("get", "/mediapath/{asset_id}/{workflow_id}"),
    ("get", "/metadata"),
    ("get", "/asset/{asset_id}"),
    ("post", "/metadata/{asset_id}"),
    ("get", "/metadata/{asset_id}"),
    ("delete", "/metadata/{asset_id}"),
    ("get", "/metadata/{asset_id}/{operator_name}"),
    ("delete", "/metadata/{asset_id}/{operator_name}"),
}


def test_openapi_lists_every_route() -> None:
    document = json.loads(build_app().get_openapi_json_schema())
    listed = {(method, path) for path, operations in document["paths"].items() for method in operations}
    assert listed == ROUTES


def test_every_route_documents_its_success_body_and_errors() -> None:
    document = openapi.openapi_document()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "schema" in responses["200"]["content"]["application/json"], (method, path)
            assert "422" not in responses
            for status, response in responses.items():
                if status != "200":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == expected_error_schema(status), (method, path, status)


def test_no_parameter_is_documented_as_nullable() -> None:
    assert_no_nullable_parameter(openapi.openapi_document())


def test_every_route_documents_the_errors_of_its_kind() -> None:
    assert_errors_of_each_kind(openapi.openapi_document())


def test_request_bodies_refuse_unknown_keys_and_flags_are_booleans() -> None:
    schemas = openapi.openapi_document()["components"]["schemas"]
    for name in ("CreateRequest", "CreateInput", "KeyRequest", "MetadataRequest"):
        assert schemas[name]["additionalProperties"] is False, name
    assert schemas["MetadataRequest"]["properties"]["Paginate"]["type"] == "boolean"


def test_metadata_write_documents_its_body_and_mie_query_parameters() -> None:
    operation = openapi.openapi_document()["paths"]["/metadata/{asset_id}"]["post"]
    assert {p["name"] for p in operation["parameters"]} == {"asset_id", "paginated", "end"}
    assert set(operation["responses"]) == {"200", "400", "403", "404", "409", "413", "415"}
    for parameter in operation["parameters"][1:]:
        assert parameter["schema"]["type"] == "boolean"


def test_docs_copy_is_current() -> None:
    assert openapi.DOCS_PATH.read_text(encoding="utf-8") == openapi.render(), (
        "regenerate with: .venv/bin/python -m api.dataplane.openapi"
    )
