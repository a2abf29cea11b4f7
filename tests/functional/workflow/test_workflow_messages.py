"""Every error of the workflow API survives the seed guide's `awscurl ... | cut -f 2 -d "'" | jq`.

The guide pipes answers through `cut -f 2 -d "'"`, which passes a line without an apostrophe
whole and cuts any other. So no answer may hold one: messages quote with double quotes, and an
apostrophe a client sent comes back as the JSON escape \\u0027. A 400 about a value quotes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from medialens_helper.apigw import build_proxy_event

from api.workflow import handler
from tests.functional.workflow.workflow_helpers import WorkflowApi, chain, lambda_arn, operation_body
from tests.support.bad_inputs import BAD_VALUES as COMMON_BAD_VALUES
from tests.support.bad_inputs import RAW_BODIES, bad_bodies

# Plus what users get wrong in names and ARNs.
BAD_VALUES: list[Any] = [
    *COMMON_BAD_VALUES,
    "x" * 300,
    "has space",
    "$WORKFLOW_NAME",
    "_underscore",
    "arn:aws:lambda:us-east-1:123456789012:function:missing",
    "not-an-arn",
]


def raw_call(method: str, path: str, body: str | None) -> tuple[int, str]:
    event = build_proxy_event(method, path, body=body, headers={"Content-Type": "application/json"})
    response = handler.lambda_handler(event, None)
    return int(response["statusCode"]), str(response["body"])


def _cases(api: WorkflowApi) -> Iterator[tuple[str, str, str | None]]:
    api.ok("POST", "/workflow/operation", body=operation_body("Known"))
    api.ok("POST", "/workflow/stage", body={"Name": "KnownStage", "Operations": ["Known"]})
    api.ok("POST", "/workflow", body=chain("KnownFlow", "KnownStage"))
    valid_bodies = {
        "/workflow/operation": operation_body("Fresh"),
        "/workflow/stage": {"Name": "FreshStage", "Operations": ["Known"]},
        "/workflow": chain("FreshFlow", "KnownStage"),
        "/workflow/execution": {
            "Name": "KnownFlow",
            "Input": {"Media": {"Video": {"S3Bucket": "bucket", "S3Key": "k"}}},
            "Configuration": {"KnownStage": {"Known": {"Enabled": False}}},
        },
        "/system/configuration": {"Name": "MaxConcurrentWorkflows", "Value": 5},
    }
    for path, valid in valid_bodies.items():
        methods = (
            ("POST", "PUT") if path in ("/workflow/operation", "/workflow/stage", "/workflow") else ("POST",)
        )
        for method in methods:
            for body in bad_bodies(valid, BAD_VALUES):
                yield method, path, json.dumps(body)
            for raw in (*RAW_BODIES, '"text"'):
                yield method, path, raw
    for path in (
        "/workflow/operation/bad name",
        "/workflow/operation/Missing",
        "/workflow/stage/_Missing",
        "/workflow/Missing",
        "/workflow/configuration/Missing",
        "/workflow/execution/missing-id",
        "/workflow/execution/status/Sometimes",
        "/workflow/operation?limit=0",
        "/workflow/operation?limit=abc",
        "/workflow/operation?cursor=forged",
        "/nowhere",
    ):
        yield "GET", path, None
    for path in ("/workflow/operation/Known", "/workflow/stage/KnownStage", "/workflow/stage/_Known"):
        yield "DELETE", path, None


def test_no_error_answer_holds_an_apostrophe(api: WorkflowApi) -> None:
    errors = 0
    for method, path, body in _cases(api):
        status, text = raw_call(method, path, body)
        if status < 400:
            continue
        errors += 1
        assert "'" not in text, (method, path, body, text)
        assert "'" not in json.loads(text)["Message"], (method, path, body, text)
        assert "\n" not in text, (method, path, body, text)
    assert errors > 400  # the cases above are mistakes: nearly all of them must have been refused


def test_a_bad_value_is_quoted_in_the_400(api: WorkflowApi) -> None:
    cases = {
        "Name": ({**operation_body("x"), "Name": "$WORKFLOW_NAME"}, '"$WORKFLOW_NAME"'),
        "Type": ({**operation_body("TypeBad"), "Type": "Sometimes"}, '"Sometimes"'),
        "StartLambdaArn": ({**operation_body("ArnBad"), "StartLambdaArn": "not-an-arn"}, '"not-an-arn"'),
        "Missing": (
            {**operation_body("Gone"), "StartLambdaArn": lambda_arn("Nowhere")},
            lambda_arn("Nowhere"),
        ),
    }
    for field, (body, quoted) in cases.items():
        message = api.fails(400, "POST", "/workflow/operation", body=body)
        assert quoted in message, (field, message)
    message = api.fails(
        400, "POST", "/system/configuration", body={"Name": "MaxConcurrentWorkflows", "Value": "many"}
    )
    assert '"many"' in message


_APOSTROPHES = st.text(alphabet=st.sampled_from(list("a'b \"\\é$_-")), min_size=1, max_size=12).filter(
    lambda text: "'" in text
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_APOSTROPHES)
def test_an_apostrophe_sent_comes_back_escaped_and_decodes_to_itself(api: WorkflowApi, text: str) -> None:
    for body in (
        {**operation_body("Quoted"), "Name": text},
        {"Name": "S", "Operations": [text]},
        {"Name": "KnownFlow", "Input": {"Media": {"Video": {"S3Bucket": text, "S3Key": text}}}},
    ):
        for path in ("/workflow/operation", "/workflow/stage", "/workflow/execution"):
            status, raw = raw_call("POST", path, json.dumps(body))
            assert "'" not in raw, raw
            if status == 400 and text in json.dumps(body):
                decoded = json.loads(raw)["Message"]
                assert "'" not in decoded.replace(text, "")  # only the client's own apostrophes


def test_an_apostrophe_in_stored_data_is_escaped_in_every_answer(api: WorkflowApi) -> None:
    api.ok("POST", "/workflow/operation", body={**operation_body("Said"), "Description": "it's mine"})
    status, raw = raw_call("GET", "/workflow/operation/Said", None)
    assert status == 200
    assert "'" not in raw and "\\u0027" in raw
    assert json.loads(raw)["Description"] == "it's mine"
