"""Every dataplane route that takes a body answers a malformed one with a 4xx, and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from dataplane_harness import BUCKET, TABLE, Dataplane

from api.dataplane.app import MAX_BODY_BYTES
from tests.support.malformed_bodies import MALFORMED_BODIES, MalformedBody, nested

ASSET = "00000000-0000-4000-8000-000000000001"
BODY_ROUTES = ["/create", "/upload", "/download", f"/metadata/{ASSET}"]


def _stored(dataplane: Dataplane) -> tuple[list[str], int, int]:
    """What the dataplane holds: object keys, table items, stream records."""
    items = dataplane.dynamodb.scan(TableName=TABLE, Select="COUNT")["Count"]
    return dataplane.keys(), items, len(dataplane.all_records())


@pytest.fixture
def seeded(dataplane: Dataplane) -> Dataplane:
    dataplane.put_object("upload/video.mp4")
    return dataplane


@pytest.mark.parametrize("case", MALFORMED_BODIES, ids=[case.id for case in MALFORMED_BODIES])
def test_a_malformed_body_is_a_4xx_on_every_route(seeded: Dataplane, case: MalformedBody) -> None:
    before = _stored(seeded)
    for path in BODY_ROUTES:
        status, body = seeded.call("POST", path, raw=case.body, content_type=case.content_type)
        assert (status, body["Code"]) == (case.status, _code(case.status)), (path, body)
        assert case.message in body["Message"], (path, body)
    assert _stored(seeded) == before


def test_json_nested_100000_deep_is_400_on_every_route(seeded: Dataplane) -> None:
    before = _stored(seeded)
    for path in BODY_ROUTES:
        status, body = seeded.call("POST", path, raw=nested(100_000))
        assert status == 400, (path, body)
        assert "100000 deep" in body["Message"]
    assert _stored(seeded) == before


def test_a_body_over_the_limit_is_413_before_it_is_parsed(seeded: Dataplane) -> None:
    raw = b'{"OperatorName": "' + b"x" * MAX_BODY_BYTES + b'"}'
    status, body = seeded.call("POST", f"/metadata/{ASSET}", raw=raw)
    assert status == 413
    assert f"the limit is {MAX_BODY_BYTES}" in body["Message"]


@pytest.mark.parametrize(
    ("path", "body", "key"),
    [
        ("/create", {"Input": {"S3Bucket": BUCKET, "S3Key": "upload/video.mp4"}, "Priority": 1}, "Priority"),
        ("/create", {"Input": {"S3Bucket": BUCKET, "S3Key": "upload/video.mp4", "Region": "x"}}, "Region"),
        ("/upload", {"S3Key": "upload/a.mp4", "Acl": "public-read"}, "Acl"),
        ("/download", {"S3Key": "upload/video.mp4", "Expires": 1}, "Expires"),
        (f"/metadata/{ASSET}", {"OperatorName": "L", "WorkflowId": "wf", "Results": {}, "Pages": 2}, "Pages"),
    ],
)
def test_unknown_keys_are_refused_naming_them(
    seeded: Dataplane, path: str, body: dict[str, Any], key: str
) -> None:
    before = _stored(seeded)
    status, answer = seeded.call("POST", path, body=body)
    assert status == 400, answer
    assert f"{key}: unknown field" in answer["Message"]
    assert _stored(seeded) == before


@pytest.mark.parametrize("flag", ["Paginate", "End"])
def test_a_body_flag_must_be_a_json_boolean(dataplane: Dataplane, flag: str) -> None:
    asset_id = dataplane.create_asset()
    status, body = dataplane.store(asset_id, "Labels", "wf", {"a": 1}, **{flag: 0})
    assert status == 400
    assert flag in body["Message"]


@pytest.mark.parametrize("query", [{"paginated": "0"}, {"paginated": "1"}, {"end": "yes"}, {"end": "True"}])
def test_a_query_flag_is_true_or_false_only(dataplane: Dataplane, query: dict[str, str]) -> None:
    asset_id = dataplane.create_asset()
    body = {"OperatorName": "Labels", "WorkflowId": "wf", "Results": {"a": 1}}
    status, answer = dataplane.call("POST", f"/metadata/{asset_id}", body=body, query=query)
    assert status == 400
    assert "must be true or false" in answer["Message"]


def _code(status: int) -> str:
    return {400: "BadRequest", 413: "PayloadTooLarge", 415: "UnsupportedMediaType"}[status]


def test_a_page_number_must_be_a_json_integer(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    status, body = dataplane.store(asset_id, "Labels", "wf", {"a": 1}, Paginate=True, Page="1")
    assert status == 400
    assert "Page" in body["Message"]
