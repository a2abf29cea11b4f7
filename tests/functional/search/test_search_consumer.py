"""The search consumer, invoked as Lambda invokes it from the dataplane stream (S3 from moto)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from medialens_helper.transport import InProcessContext
from moto import mock_aws

from api.search import handler, indexer
from api.search.config import SearchConfig, SearchConfigurationError
from medialens.state import LocalCredentials
from tests.support.opensearch_stub import OpenSearchStub, running_stub

REGION = "us-east-1"
BUCKET = "medialens-search-test"
CREDENTIALS = LocalCredentials("testing", "testing-secret", REGION)


@pytest.fixture
def stub() -> Iterator[OpenSearchStub]:
    with running_stub(CREDENTIALS) as running:
        yield running


@pytest.fixture
def s3(stub: OpenSearchStub, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN", "SEARCH_INDEX_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS.secret_access_key)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("SEARCH_ENDPOINT", stub.url)
    handler.get_indexer.cache_clear()
    with mock_aws():
        # moto puts its own keys in the environment; the consumer signs with whatever it finds,
        # as it does with its role on Lambda, so the stub expects those.
        found = boto3.Session().get_credentials()
        assert found is not None
        stub.credentials = LocalCredentials(found.access_key, found.secret_key, REGION)
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET)
        yield client
    handler.get_indexer.cache_clear()


def put_record(
    s3: Any, asset: str, operator: str, page: int, results: Any, *, workflow: str = "wf-1"
) -> bytes:
    key = f"private/assets/{asset}/workflows/{workflow}/{operator}/{page}.json"
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(results).encode())
    return _record("PUT", asset, operator, workflow, page, key)


def delete_record(asset: str, operator: str | None) -> bytes:
    return _record("DELETE", asset, operator, None, None, f"private/assets/{asset}/")


def _record(
    action: str, asset: str, operator: str | None, workflow: str | None, page: int | None, key: str
) -> bytes:
    record = {
        "SchemaVersion": 1,
        "Action": action,
        "AssetId": asset,
        "Operator": operator,
        "WorkflowId": workflow,
        "Page": page,
        "Pointer": {"S3Bucket": BUCKET, "S3Key": key},
        "Timestamp": "2026-11-23T07:00:00Z",
    }
    return json.dumps(record).encode()


def kinesis_event(*payloads: bytes) -> dict[str, Any]:
    """What Lambda's Kinesis event source delivers: base64 data, shard-scoped sequence numbers."""
    return {
        "Records": [
            {
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{1000 + index}",
                "eventName": "aws:kinesis:record",
                "awsRegion": REGION,
                "eventSourceARN": f"arn:aws:kinesis:{REGION}:123456789012:stream/dataplane",
                "invokeIdentityArn": "arn:aws:iam::123456789012:role/consumer",
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": "asset",
                    "sequenceNumber": str(1000 + index),
                    "data": base64.b64encode(payload).decode(),
                    "approximateArrivalTimestamp": 1.0,
                },
            }
            for index, payload in enumerate(payloads)
        ]
    }


def consume(*payloads: bytes) -> list[str]:
    """Invoke the handler; the sequence numbers it asks Lambda to deliver again."""
    response = handler.lambda_handler(kinesis_event(*payloads), InProcessContext())
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


def test_a_result_page_becomes_a_signed_upsert_of_one_document(s3: Any, stub: OpenSearchStub) -> None:
    results = {"Labels": [{"Name": "Cat", "Confidence": 97.5}]}

    assert consume(put_record(s3, "a1", "Mediainfo", 1, results)) == []

    document = stub.documents("medialens-mediainfo")["a1/1"]
    assert document["Results"] == results
    assert (document["AssetId"], document["Operator"], document["WorkflowId"], document["Page"]) == (
        "a1",
        "Mediainfo",
        "wf-1",
        1,
    )
    assert stub.unsigned_refusals == 0


def test_the_stub_refuses_what_is_not_signed_for_opensearch(stub: OpenSearchStub) -> None:
    # The check above means something only if a bad signature is refused.
    assert requests.post(f"{stub.url}/_bulk", data=b"{}\n{}\n", timeout=5).status_code == 403
    assert stub.unsigned_refusals == 1
    assert stub.indexes == {}


def test_a_redelivered_record_rewrites_the_same_document(s3: Any, stub: OpenSearchStub) -> None:
    record = put_record(s3, "a1", "Mediainfo", 2, {"n": 1})

    consume(record)
    consume(record)

    assert list(stub.documents("medialens-mediainfo")) == ["a1/2"]


def test_deleting_an_operators_results_removes_only_that_assets_documents_of_it(
    s3: Any, stub: OpenSearchStub
) -> None:
    consume(
        put_record(s3, "a1", "Mediainfo", 1, {}),
        put_record(s3, "a1", "Mediainfo", 2, {}),
        put_record(s3, "a2", "Mediainfo", 1, {}),
        put_record(s3, "a1", "Thumbnail", 1, {}),
    )

    assert consume(delete_record("a1", "Mediainfo")) == []

    assert list(stub.documents("medialens-mediainfo")) == ["a2/1"]
    assert list(stub.documents("medialens-thumbnail")) == ["a1/1"]


def test_deleting_an_asset_removes_its_documents_from_every_index(s3: Any, stub: OpenSearchStub) -> None:
    consume(
        put_record(s3, "a1", "Mediainfo", 1, {}),
        put_record(s3, "a1", "Thumbnail", 1, {}),
        put_record(s3, "a2", "Thumbnail", 1, {}),
    )

    assert consume(delete_record("a1", None)) == []

    assert stub.documents("medialens-mediainfo") == {}
    assert list(stub.documents("medialens-thumbnail")) == ["a2/1"]


def test_deleting_results_never_indexed_is_not_an_error(s3: Any, stub: OpenSearchStub) -> None:
    assert consume(delete_record("a9", "NeverIndexed"), delete_record("a9", None)) == []


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[1, 2]",
        json.dumps({"SchemaVersion": 2}).encode(),
        b'{"SchemaVersion": 1, "Action": "PUT"}',
    ],
)
def test_a_record_that_can_never_be_indexed_is_skipped_and_the_batch_goes_on(
    s3: Any, stub: OpenSearchStub, payload: bytes
) -> None:
    assert consume(payload, put_record(s3, "a1", "Mediainfo", 1, {"ok": True})) == []
    assert list(stub.documents("medialens-mediainfo")) == ["a1/1"]


def test_a_page_deleted_before_indexing_is_skipped(s3: Any, stub: OpenSearchStub) -> None:
    record = put_record(s3, "a1", "Mediainfo", 1, {})
    s3.delete_object(Bucket=BUCKET, Key="private/assets/a1/workflows/wf-1/Mediainfo/1.json")

    assert consume(record) == []
    assert stub.indexes == {}


def test_throttling_retries_that_record_and_every_later_one_in_order(s3: Any, stub: OpenSearchStub) -> None:
    first = put_record(s3, "a1", "Mediainfo", 1, {})
    throttled = put_record(s3, "a2", "Mediainfo", 1, {})
    later_delete = delete_record("a1", "Mediainfo")
    consume(first)
    stub.scripted_statuses = [429]

    failed = consume(throttled, later_delete)

    # Both come back: the DELETE must not overtake the PUT that failed before it.
    assert failed == ["1000", "1001"]
    assert list(stub.documents("medialens-mediainfo")) == ["a1/1"]
    assert consume(throttled, later_delete) == []
    assert list(stub.documents("medialens-mediainfo")) == ["a2/1"]


def test_a_document_opensearch_refuses_is_skipped_not_retried_forever(s3: Any, stub: OpenSearchStub) -> None:
    stub.scripted_statuses = [400]  # e.g. a mapping conflict with earlier documents

    assert consume(put_record(s3, "a1", "Mediainfo", 1, {"Duration": "long"})) == []


def test_configuration_names_what_is_missing() -> None:
    with pytest.raises(SearchConfigurationError, match="SEARCH_ENDPOINT must be the domain's http"):
        SearchConfig.from_env({"AWS_REGION": REGION})
    with pytest.raises(SearchConfigurationError, match="SEARCH_INDEX_PREFIX 'Bad_Prefix'"):
        SearchConfig.from_env(
            {"SEARCH_ENDPOINT": "https://x", "SEARCH_INDEX_PREFIX": "Bad_Prefix", "AWS_REGION": "r"}
        )
    with pytest.raises(SearchConfigurationError, match="AWS_REGION is not set"):
        SearchConfig.from_env({"SEARCH_ENDPOINT": "https://x"})


def test_a_page_that_is_not_json_is_skipped(s3: Any, stub: OpenSearchStub) -> None:
    record = put_record(s3, "a1", "Mediainfo", 1, {})
    s3.put_object(
        Bucket=BUCKET, Key="private/assets/a1/workflows/wf-1/Mediainfo/1.json", Body=b"\xff not json"
    )

    assert consume(record, put_record(s3, "a2", "Mediainfo", 1, {})) == []
    assert list(stub.documents("medialens-mediainfo")) == ["a2/1"]


def test_an_unreadable_bucket_is_retried_in_order_not_skipped(s3: Any, stub: OpenSearchStub) -> None:
    # S3 answering something other than "no such key" may pass later: retry, keep the order.
    elsewhere = _record("PUT", "a1", "Mediainfo", "wf-1", 1, "private/assets/a1/x.json").replace(
        BUCKET.encode(), b"medialens-no-such-bucket"
    )

    assert consume(elsewhere, delete_record("a1", None)) == ["1000", "1001"]
    assert stub.requests == []


def test_a_batch_of_pages_goes_to_opensearch_in_one_bulk_request(s3: Any, stub: OpenSearchStub) -> None:
    payloads = [put_record(s3, f"a{n}", "Mediainfo", 1, {"n": n}) for n in range(5)]

    assert consume(*payloads) == []

    assert stub.requests == [("POST", "/_bulk")]
    assert {key: doc["Results"] for key, doc in stub.documents("medialens-mediainfo").items()} == {
        f"a{n}/1": {"n": n} for n in range(5)
    }


def test_a_throttled_bulk_item_comes_back_with_every_later_record(s3: Any, stub: OpenSearchStub) -> None:
    payloads = [put_record(s3, f"a{n}", "Mediainfo", 1, {"n": n}) for n in range(3)]
    stub.item_statuses["a1/1"] = 429

    assert consume(*payloads) == ["1001", "1002"]
    assert sorted(stub.documents("medialens-mediainfo")) == ["a0/1", "a2/1"]

    # Lambda delivers them again from the throttled one; the rewrite of a2/1 is harmless.
    assert consume(*payloads[1:]) == []
    assert sorted(stub.documents("medialens-mediainfo")) == ["a0/1", "a1/1", "a2/1"]


def test_a_failing_bulk_item_holds_back_a_later_delete(s3: Any, stub: OpenSearchStub) -> None:
    consume(put_record(s3, "a1", "Mediainfo", 1, {"v": 1}))
    stub.item_statuses["a1/2"] = 503

    assert consume(put_record(s3, "a1", "Mediainfo", 2, {}), delete_record("a1", "Mediainfo")) == [
        "1000",
        "1001",
    ]
    assert ("POST", "/medialens-mediainfo/_delete_by_query") not in stub.requests
    assert list(stub.documents("medialens-mediainfo")) == ["a1/1"]


def test_a_document_refused_in_the_bulk_answer_is_skipped_and_the_others_land(
    s3: Any, stub: OpenSearchStub
) -> None:
    stub.item_statuses["a1/1"] = 400  # mapper_parsing_exception: the same document fails every time

    assert consume(put_record(s3, "a1", "Mediainfo", 1, {}), put_record(s3, "a2", "Mediainfo", 1, {})) == []
    assert list(stub.documents("medialens-mediainfo")) == ["a2/1"]


@pytest.mark.parametrize("status", [429, 500, 503, 403])  # 403: a grant still propagating
def test_a_failing_bulk_request_sends_back_all_its_records(
    s3: Any, stub: OpenSearchStub, status: int
) -> None:
    stub.scripted_statuses = [status]

    assert consume(put_record(s3, "a1", "Mediainfo", 1, {}), put_record(s3, "a2", "Mediainfo", 1, {})) == [
        "1000",
        "1001",
    ]
    assert stub.indexes == {}


def test_a_page_written_then_deleted_in_one_batch_is_gone(s3: Any, stub: OpenSearchStub) -> None:
    # The stub, like OpenSearch, hides unrefreshed documents from a delete by query.
    assert consume(put_record(s3, "a1", "Mediainfo", 1, {}), delete_record("a1", None)) == []

    assert stub.documents("medialens-mediainfo") == {}
    assert stub.requests == [
        ("POST", "/_bulk"),
        ("POST", "/medialens-*/_refresh"),
        ("POST", "/medialens-*/_delete_by_query"),
    ]


def test_puts_past_the_size_limit_split_into_requests_and_a_failure_points_at_its_part(
    s3: Any, stub: OpenSearchStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexer, "MAX_BULK_BYTES", 600)  # two of these documents
    payloads = [put_record(s3, f"a{n}", "Mediainfo", 1, {"pad": "x" * 150}) for n in range(4)]
    stub.scripted_statuses = [None, 429]  # the first request is served, the second throttled

    assert consume(*payloads) == ["1002", "1003"]

    assert stub.requests == [("POST", "/_bulk"), ("POST", "/_bulk")]
    assert sorted(stub.documents("medialens-mediainfo")) == ["a0/1", "a1/1"]


def test_a_bulk_answer_that_does_not_account_for_every_item_sends_them_all_back(
    s3: Any, stub: OpenSearchStub
) -> None:
    payloads = [put_record(s3, f"a{n}", "Mediainfo", 1, {"n": n}) for n in range(2)]
    stub.truncate_next_bulk_answer = True

    assert consume(*payloads) == ["1000", "1001"]
    assert consume(*payloads) == []
    assert sorted(stub.documents("medialens-mediainfo")) == ["a0/1", "a1/1"]


def test_an_invocation_without_an_endpoint_fails_naming_the_variable(
    s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SEARCH_ENDPOINT")
    handler.get_indexer.cache_clear()

    with pytest.raises(SearchConfigurationError, match="SEARCH_ENDPOINT"):
        consume(delete_record("a1", None))
