"""The Dashboards objects the analytics deploy imports: valid against the consumer's mapping, signed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from api.dashboards import handler
from api.dashboards.importer import SAVED_OBJECTS, DashboardsImporter, DashboardsImportError, saved_objects
from api.search.mapping import TEMPLATE_NAME, field_types, index_template
from medialens.state import LocalCredentials
from tests.support.opensearch_stub import OpenSearchStub, running_stub

CREDENTIALS = LocalCredentials("AKIDDASHBOARDS01", "dashboards-secret-0123456789", "eu-west-1")
AGGREGATABLE = {"keyword", "date", "long", "integer", "float"}
KINDS = {"face", "transcript", "text", "object", "keyword", "language"}


def _objects() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SAVED_OBJECTS.read_text().splitlines()]


def _search_source(item: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(item["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"]))


def test_every_reference_resolves_and_every_id_is_unique() -> None:
    objects = _objects()
    keys = [(item["type"], item["id"]) for item in objects]
    assert len(keys) == len(set(keys))
    for item in objects:
        for reference in item["references"]:
            assert (reference["type"], reference["id"]) in keys, (item["id"], reference)
    dashboard = next(item for item in objects if item["type"] == "dashboard")
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    names = {reference["name"] for reference in dashboard["references"]}
    assert {panel["panelRefName"] for panel in panels} == names
    assert len(panels) == 5


def test_the_index_pattern_covers_the_consumers_indexes_and_its_time_field_is_a_date() -> None:
    pattern = next(item for item in _objects() if item["type"] == "index-pattern")
    assert pattern["attributes"]["title"] == "medialens-*"
    assert field_types()[pattern["attributes"]["timeFieldName"]] == "date"
    assert index_template("medialens")["index_patterns"] == ["medialens-*"]


def test_every_field_the_objects_use_is_mapped_and_aggregations_use_aggregatable_fields() -> None:
    mapped = field_types()
    used: list[str] = []
    for item in _objects():
        attributes = item["attributes"]
        if item["type"] == "visualization":
            for agg in json.loads(attributes["visState"])["aggs"]:
                if "field" in agg["params"]:
                    assert mapped.get(agg["params"]["field"]) in AGGREGATABLE, (item["id"], agg)
                    used.append(agg["params"]["field"])
        if item["type"] == "search":
            used += [column for column in attributes["columns"]]
            used += [field for field, _ in attributes["sort"]]
        if item["type"] in ("search", "visualization"):
            query = _search_source(item)["query"]["query"]
            used += [clause.split(":")[0] for clause in query.replace(" or ", " ").split() if ":" in clause]
    assert used and all(name in mapped for name in used), sorted(set(used) - set(mapped))


def test_there_is_a_saved_discover_search_per_kind_of_finding() -> None:
    searches = [item for item in _objects() if item["type"] == "search"]
    kinds = {_search_source(item)["query"]["query"].removeprefix("Findings.Kind:") for item in searches}
    assert kinds == KINDS


@pytest.fixture
def stub() -> Iterator[OpenSearchStub]:
    with running_stub(CREDENTIALS) as running:
        yield running


@pytest.fixture
def session() -> boto3.Session:
    return boto3.Session(
        aws_access_key_id=CREDENTIALS.access_key_id,
        aws_secret_access_key=CREDENTIALS.secret_access_key,
        region_name=CREDENTIALS.region,
    )


def test_the_importer_puts_the_template_and_imports_every_object_signed(
    stub: OpenSearchStub, session: boto3.Session
) -> None:
    importer = DashboardsImporter(stub.url, CREDENTIALS.region, session=session)
    assert importer.apply("analysis") == {"Objects": len(_objects())}
    assert stub.templates[TEMPLATE_NAME] == index_template("analysis")
    pattern = stub.saved_objects[("index-pattern", "medialens-results")]
    assert pattern["attributes"]["title"] == "analysis-*"
    # Importing again (every deploy does) replaces the same objects.
    assert importer.apply("analysis") == {"Objects": len(_objects())}
    assert len(stub.saved_objects) == len(_objects())
    assert stub.unsigned_refusals == 0


def test_a_refused_template_or_import_fails_with_the_status(
    stub: OpenSearchStub, session: boto3.Session
) -> None:
    importer = DashboardsImporter(stub.url, CREDENTIALS.region, session=session)
    stub.scripted_statuses = [403]
    with pytest.raises(DashboardsImportError, match="answered 403"):
        importer.apply("medialens")
    unsigned = DashboardsImporter(
        stub.url,
        CREDENTIALS.region,
        session=boto3.Session(
            aws_access_key_id="AKIDWRONGKEY0001",
            aws_secret_access_key="wrong",
            region_name=CREDENTIALS.region,
        ),
    )
    with pytest.raises(DashboardsImportError, match="answered 403"):
        unsigned.apply("medialens")
    assert not stub.saved_objects


def test_saved_objects_keep_the_file_when_the_prefix_is_the_default() -> None:
    assert saved_objects("medialens").decode().splitlines() == [
        json.dumps(json.loads(line), separators=(",", ":")) for line in SAVED_OBJECTS.read_text().splitlines()
    ]


def test_the_handler_refuses_a_bad_endpoint_and_never_fails_a_delete() -> None:
    with pytest.raises(ValueError, match="DomainEndpoint"):
        handler.lambda_handler(
            {"RequestType": "Create", "ResourceProperties": {"DomainEndpoint": "http://x"}}, None
        )
    deleted = handler.lambda_handler({"RequestType": "Delete", "PhysicalResourceId": "p"}, None)  # type: ignore[arg-type]
    assert deleted == {"PhysicalResourceId": "p"}
