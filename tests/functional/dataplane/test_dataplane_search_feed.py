"""Records the real dataplane writes feed the real search consumer: the record format cannot drift apart."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from dataplane_harness import REGION, Dataplane
from medialens_helper.transport import InProcessContext

from api.search import handler as search
from medialens.state import LocalCredentials
from tests.support.opensearch_stub import OpenSearchStub, running_stub


@pytest.fixture
def stub(dataplane: Dataplane, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenSearchStub]:
    found = boto3.Session().get_credentials()  # what the consumer will sign with, inside the mock
    assert found is not None
    with running_stub(LocalCredentials(found.access_key, found.secret_key, REGION)) as running:
        monkeypatch.setenv("SEARCH_ENDPOINT", running.url)
        monkeypatch.delenv("SEARCH_INDEX_PREFIX", raising=False)
        search.get_indexer.cache_clear()
        yield running
    search.get_indexer.cache_clear()


def _feed(records: list[dict[str, Any]]) -> list[str]:
    event = {
        "Records": [
            {
                "eventSource": "aws:kinesis",
                "eventID": f"shardId-000000000000:{index}",
                "kinesis": {
                    "partitionKey": record["PartitionKey"],
                    "sequenceNumber": str(index),
                    "data": base64.b64encode(json.dumps(record["Data"]).encode()).decode(),
                },
            }
            for index, record in enumerate(records)
        ]
    }
    response = search.lambda_handler(event, InProcessContext())
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


def test_stored_pages_are_indexed_and_deletes_remove_them(dataplane: Dataplane, stub: OpenSearchStub) -> None:
    asset = dataplane.create_asset()
    other = dataplane.create_asset("other.mp4")
    for page in (1, 2):
        status, _ = dataplane.store(
            asset, "Labels", "wf-1", {"Page": page}, Paginate=True, Page=page, End=page == 2
        )
        assert status == 200
    dataplane.store(other, "Labels", "wf-2", {"Page": 1})
    dataplane.store(asset, "Faces", "wf-1", {"Count": 3})

    assert _feed(dataplane.new_records()) == []

    labels = stub.documents("medialens-labels")
    assert {key: doc["Results"] for key, doc in labels.items()} == {
        f"{asset}/1": {"Page": 1},
        f"{asset}/2": {"Page": 2},
        f"{other}/1": {"Page": 1},
    }
    assert labels[f"{asset}/2"]["WorkflowId"] == "wf-1"

    assert dataplane.call("DELETE", f"/metadata/{asset}/Labels")[0] == 200
    assert _feed(dataplane.new_records()) == []
    assert list(stub.documents("medialens-labels")) == [f"{other}/1"]
    assert list(stub.documents("medialens-faces")) == [f"{asset}/1"]

    assert dataplane.call("DELETE", f"/metadata/{asset}")[0] == 200
    assert _feed(dataplane.new_records()) == []
    assert stub.documents("medialens-faces") == {}
    assert list(stub.documents("medialens-labels")) == [f"{other}/1"]
