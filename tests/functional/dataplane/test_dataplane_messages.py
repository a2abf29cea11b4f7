"""Every error of the dataplane API survives the seed guide's `awscurl ... | cut -f 2 -d "'" | jq`:
no answer holds an apostrophe (see `api.common.messages`), and a 400 about a value quotes it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from dataplane_harness import BUCKET, Dataplane
from medialens_helper.apigw import build_proxy_event

from api.dataplane import handler
from tests.support.bad_inputs import BAD_VALUES as COMMON_BAD_VALUES
from tests.support.bad_inputs import RAW_BODIES, bad_bodies

# Plus what users get wrong in object keys.
BAD_VALUES: list[Any] = [*COMMON_BAD_VALUES, "x" * 2000, "/absolute", "a/../b", "dir/", "\x01"]


def raw_call(
    method: str, path: str, body: str | None, query: dict[str, str] | None = None
) -> tuple[int, str]:
    event = build_proxy_event(
        method, path, query=query, body=body, headers={"Content-Type": "application/json"}
    )
    response = handler.lambda_handler(event, None)  # type: ignore[arg-type]
    return int(response["statusCode"]), str(response["body"])


def _cases(asset_id: str) -> Iterator[tuple[str, str, str | None, dict[str, str] | None]]:
    bodies = {
        "/create": {"Input": {"S3Bucket": BUCKET, "S3Key": "incoming/video.mp4"}},
        "/upload": {"S3Bucket": BUCKET, "S3Key": "upload/new.mp4"},
        "/download": {"S3Bucket": BUCKET, "S3Key": "private/assets/x/input/video.mp4"},
        f"/metadata/{asset_id}": {"OperatorName": "Labels", "WorkflowId": "wf-1", "Results": {"a": 1}},
    }
    for path, valid in bodies.items():
        for body in bad_bodies(valid, BAD_VALUES):
            yield "POST", path, json.dumps(body), None
        for body in bad_bodies(valid.get("Input", {}), BAD_VALUES):
            yield "POST", path, json.dumps({"Input": body}), None
        for raw in RAW_BODIES:
            yield "POST", path, raw, None
    for query in ({"cursor": "forged"}, {"limit": "0"}, {"limit": "many"}, {"paginated": "maybe"}):
        yield "GET", "/metadata", None, query
        yield "GET", f"/metadata/{asset_id}", None, query
    for path in (
        "/metadata/no-such-asset",
        f"/metadata/{asset_id}/NoSuchOperator",
        "/mediapath/no-such-asset/wf-1",
        "/nowhere",
    ):
        yield "GET", path, None, None
        yield "DELETE", path, None, None


def test_no_error_answer_holds_an_apostrophe(dataplane: Dataplane) -> None:
    asset_id = dataplane.create_asset()
    errors = 0
    for method, path, body, query in _cases(asset_id):
        status, text = raw_call(method, path, body, query)
        if status < 400:
            continue
        errors += 1
        case = (method, path, body, query, text)
        assert "'" not in text, case
        assert "'" not in json.loads(text)["Message"], case
    assert errors > 150


def test_a_bad_value_is_quoted_in_the_400(dataplane: Dataplane) -> None:
    cases = [
        ("/create", {"Input": {"S3Bucket": "other-bucket", "S3Key": "incoming/v.mp4"}}, '"other-bucket"'),
        ("/create", {"Input": {"S3Bucket": BUCKET, "S3Key": "a/../b"}}, '"a/../b"'),
        ("/download", {"S3Key": "somewhere/else.mp4"}, '"somewhere/else.mp4"'),
        ("/upload", {"S3Bucket": "elsewhere", "S3Key": "upload/x.mp4"}, '"elsewhere"'),
        (
            f"/metadata/{dataplane.create_asset()}",
            {"OperatorName": "L", "Results": {}, "Page": "two"},
            '"two"',
        ),
    ]
    for path, body, quoted in cases:
        status, text = raw_call("POST", path, json.dumps(body))
        assert status == 400, (path, text)
        assert quoted.replace('"', '\\"') in text, (path, text)


def test_an_apostrophe_a_client_sent_comes_back_escaped(dataplane: Dataplane) -> None:
    status, text = raw_call(
        "POST", "/create", json.dumps({"Input": {"S3Bucket": BUCKET, "S3Key": "it's/../x"}})
    )
    assert status == 400
    assert "'" not in text and "\\u0027" in text
    assert "it's/../x" in json.loads(text)["Message"]
