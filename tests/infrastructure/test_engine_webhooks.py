"""Stream and batch engines on AWS: the start and finish functions, and the webhooks they are fed by.

Read from the synthesized template: which functions exist with which handler, environment and
grants; which routes the webhook API has and that they alone take unsigned calls; and that the
webhook handler, given the event API Gateway builds for a URL `webhook_urls` makes on the deployed
endpoint, accepts the task's secret and refuses anything else (moto, in-process).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from medialens_helper import settings
from moto import mock_aws

from api.engines import webhooks
from api.engines.tasks import ENGINE_WEBHOOK_ENDPOINT, heartbeat_key, secret_digest, task_key, webhook_urls
from api.workflow.generator.arns import ASYNC_ENGINE_ENVIRONMENT_VARIABLES
from infrastructure.engine_operator import FUNCTIONS
from infrastructure.engine_webhooks import BURST_LIMIT, RATE_LIMIT_PER_SECOND, STAGE_NAME
from tests.infrastructure.conftest import Synthesized, as_list, joined_arn, role_policy_statements

ENGINE_RUNS = "/private/assets/*/engines/*"
ASSETS = "/private/assets/*"
REGION = "eu-west-1"
BUCKET = "dataplane-stand-in"
PREFIX = "private/assets/a1/workflows/w1/engines/Transcribe/"
LAMBDA_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024  # a synchronous invocation's request limit
# What the deployed EngineWebhookEndpoint resolves to (an API id, the region, the stage).
ENDPOINT = f"https://abc123.execute-api.{REGION}.amazonaws.com/{STAGE_NAME}"


def _function(synthesized: Synthesized, field: str) -> dict[str, Any]:
    properties: dict[str, Any] = synthesized.resources[
        synthesized.logical_id(synthesized.stack.engines.functions[field])
    ]["Properties"]
    return properties


def _statements_of(synthesized: Synthesized, function: Any) -> list[dict[str, Any]]:
    role_id = synthesized.resources[synthesized.logical_id(function)]["Properties"]["Role"]["Fn::GetAtt"][0]
    return role_policy_statements(synthesized, role_id)


def _grants(synthesized: Synthesized, function: Any) -> dict[str, set[str]]:
    """Action -> the resources it is granted on (ARNs with the bucket as BUCKET)."""
    bucket = {"Fn::GetAtt": [synthesized.logical_id(synthesized.stack.dataplane_storage.bucket), "Arn"]}
    found: dict[str, set[str]] = {}
    for statement in _statements_of(synthesized, function):
        for action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                text = json.dumps(resource).replace(json.dumps(bucket), '"BUCKET"')
                readable = joined_arn(json.loads(text)) if "Fn::Join" in text else text.strip('"')
                found.setdefault(action, set()).add(readable)
    return found


def test_start_and_finish_run_the_engine_operators_code_with_their_handlers(synthesized: Synthesized) -> None:
    chunk = _function(synthesized, "engine_chunks")
    for field in ASYNC_ENGINE_ENVIRONMENT_VARIABLES:
        properties = _function(synthesized, field)
        assert properties["Handler"] == FUNCTIONS[field].handler
        # The same code asset and layers (SDK, media tools) as the chunk engine's functions.
        assert properties["Code"] == chunk["Code"]
        assert properties["Layers"] == chunk["Layers"]
        assert properties["Timeout"] == 900
    assert _function(synthesized, "engine_start")["Handler"] == "operators.engine.tasks.start"
    assert _function(synthesized, "engine_finish")["Handler"] == "operators.engine.tasks.finish"


def test_the_workflow_api_gets_the_start_and_finish_arns(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    variables = synthesized.resources[synthesized.logical_id(stack.workflow_api.function)]["Properties"][
        "Environment"
    ]["Variables"]
    for field, variable in ASYNC_ENGINE_ENVIRONMENT_VARIABLES.items():
        assert variables[variable] == {
            "Fn::GetAtt": [synthesized.logical_id(stack.engines.functions[field]), "Arn"]
        }


def test_start_and_chunk_calls_hand_engines_the_deployed_webhook_endpoint(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    start = _function(synthesized, "engine_start")["Environment"]["Variables"]
    endpoint = start[ENGINE_WEBHOOK_ENDPOINT]
    api_id = synthesized.logical_id(stack.engine_webhooks.api)
    assert {"Ref": api_id} in endpoint["Fn::Join"][1]
    assert joined_arn(endpoint).endswith(f".execute-api.REGION.?/{STAGE_NAME}")
    assert {settings.DATAPLANE_BUCKET, settings.DATAPLANE_API_ENDPOINT} <= set(start)
    assert synthesized.template["Outputs"]["EngineWebhookEndpoint"]["Value"] == endpoint
    # Chunk calls hand each chunk its webhooks too (a chunk engine may answer later); no one else.
    chunks = _function(synthesized, "engine_chunks")["Environment"]["Variables"]
    assert chunks[ENGINE_WEBHOOK_ENDPOINT] == endpoint
    for field in ("engine_prepare", "engine_merge", "engine_finish"):
        assert ENGINE_WEBHOOK_ENDPOINT not in _function(synthesized, field)["Environment"]["Variables"]


def test_start_and_finish_touch_only_what_they_need(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    machines = f"arn:aws:states:REGION:ACCOUNT:stateMachine:{stack.machines.prefix}-*"
    start = _grants(synthesized, stack.engines.functions["engine_start"])
    finish = _grants(synthesized, stack.engines.functions["engine_finish"])
    # start: presigns a GET of the input (any asset's media), writes only the task record.
    assert start["s3:GetObject*"] == {"BUCKET", f"BUCKET{ASSETS}"}
    assert start["s3:PutObject"] == {f"BUCKET{ENGINE_RUNS}"}
    assert start["states:SendTaskSuccess"] == {machines}
    # finish: reads and writes only under the engine runs' prefix; never answers a task token.
    assert finish["s3:GetObject*"] == {"BUCKET", f"BUCKET{ENGINE_RUNS}"}
    assert finish["s3:PutObject"] == {f"BUCKET{ENGINE_RUNS}"}
    for grants in (start, finish):
        assert not any(action.startswith("s3:Delete") for action in grants)
        assert "states:SendTaskFailure" not in grants and "states:SendTaskHeartbeat" not in grants
        [dataplane] = grants["execute-api:Invoke"]
        assert dataplane.endswith("/api/*/*")
    assert not any(action.startswith("states:") for action in finish)


def test_the_webhook_function_may_only_keep_heartbeats_and_results_and_wake_this_stacks_machines(
    synthesized: Synthesized,
) -> None:
    stack = synthesized.stack
    grants = _grants(synthesized, stack.engine_webhooks.function)
    machines = f"arn:aws:states:REGION:ACCOUNT:stateMachine:{stack.machines.prefix}-*"
    ours = {
        action: resources for action, resources in grants.items() if not action.startswith(("logs:", "xray:"))
    }
    assert ours == {
        "s3:GetObject": {f"BUCKET{ENGINE_RUNS}"},
        "s3:PutObject": {f"BUCKET{ENGINE_RUNS}"},
        "states:SendTaskHeartbeat": {machines},
        "states:SendTaskSuccess": {machines},
    }
    # Not one the state machines may invoke: the webhooks are called by engines only.
    tags = synthesized.resources[synthesized.logical_id(stack.engine_webhooks.function)]["Properties"]
    assert "Tags" not in tags


def _routes(synthesized: Synthesized, api_id: str) -> dict[str, str]:
    """Resource logical id -> its full path, for one REST API."""
    resources = {
        key: value["Properties"]
        for key, value in synthesized.of_type("AWS::ApiGateway::Resource").items()
        if value["Properties"]["RestApiId"] == {"Ref": api_id}
    }

    def path(key: str) -> str:
        parent = resources[key]["ParentId"]
        above = "" if "Fn::GetAtt" in parent else path(parent["Ref"])
        return f"{above}/{resources[key]['PathPart']}"

    return {key: path(key) for key in resources}


def _webhook_methods(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Route path -> its method's properties, for every method of the webhook API."""
    api_id = synthesized.logical_id(synthesized.stack.engine_webhooks.api)
    routes = _routes(synthesized, api_id)
    return {
        routes[method["Properties"]["ResourceId"]["Ref"]]: method["Properties"]
        for method in synthesized.of_type("AWS::ApiGateway::Method").values()
        if method["Properties"]["RestApiId"] == {"Ref": api_id}
    }


def test_the_webhook_api_has_exactly_the_two_unsigned_post_routes(synthesized: Synthesized) -> None:
    methods = _webhook_methods(synthesized)
    assert sorted(methods) == ["/tasks/{task}/{secret}/heartbeat", "/tasks/{task}/{secret}/result"]
    function_id = synthesized.logical_id(synthesized.stack.engine_webhooks.function)
    for method in methods.values():
        assert method["HttpMethod"] == "POST"
        assert method["AuthorizationType"] == "NONE"
        assert method["Integration"]["Type"] == "AWS_PROXY"
        assert function_id in json.dumps(method["Integration"]["Uri"])


def test_the_webhook_stage_is_throttled_and_logs_the_route_not_the_secret(synthesized: Synthesized) -> None:
    api_id = synthesized.logical_id(synthesized.stack.engine_webhooks.api)
    [stage] = [
        s["Properties"]
        for s in synthesized.of_type("AWS::ApiGateway::Stage").values()
        if s["Properties"]["RestApiId"] == {"Ref": api_id}
    ]
    assert stage["StageName"] == STAGE_NAME
    [settings_all] = stage["MethodSettings"]
    assert (settings_all["ResourcePath"], settings_all["HttpMethod"]) == ("/*", "*")
    assert (settings_all["ThrottlingRateLimit"], settings_all["ThrottlingBurstLimit"]) == (
        RATE_LIMIT_PER_SECOND,
        BURST_LIMIT,
    )
    log_format = stage["AccessLogSetting"]["Format"]
    assert "$context.resourcePath" in log_format  # the template `/tasks/{task}/{secret}/...`
    assert "$context.path" not in log_format  # the actual path would hold the secret


def _matches(template: str, path: str) -> dict[str, str] | None:
    """The path parameters when `path` is a request on the route `template`, else None."""
    want, got = template.strip("/").split("/"), path.strip("/").split("/")
    if len(want) != len(got):
        return None
    found = {}
    for part, value in zip(want, got, strict=True):
        if part.startswith("{"):
            if not value:
                return None
            found[part.strip("{}")] = value
        elif part != value:
            return None
    return found


def _gateway_event(synthesized: Synthesized, url: str, body: str) -> dict[str, Any]:
    """The proxy event API Gateway gives the function for a POST to `url` on the webhook stage."""
    assert url.startswith(ENDPOINT + "/")
    path = url[len(ENDPOINT) :]  # API Gateway's `path` leaves out the stage
    routes = {template: _matches(template, path) for template in _webhook_methods(synthesized)}
    [(resource, parameters)] = [(template, found) for template, found in routes.items() if found is not None]
    return {
        "httpMethod": "POST",
        "resource": resource,
        "path": path,
        "pathParameters": parameters,
        "headers": {"Content-Type": "application/json"},
        "requestContext": {"stage": STAGE_NAME, "resourcePath": resource, "path": f"/{STAGE_NAME}{path}"},
        "body": body,
        "isBase64Encoded": False,
    }


@pytest.fixture
def dataplane_bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(settings.DATAPLANE_BUCKET, BUCKET)
    with mock_aws():
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        session.client("s3").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield session


def _task(session: Any, secret: str) -> None:
    record = {"SecretSha256": secret_digest(secret), "StartedAt": 0, "ExpiresAt": 4e9}
    session.client("s3").put_object(Bucket=BUCKET, Key=task_key(PREFIX), Body=json.dumps(record).encode())


def _stored(session: Any) -> list[str]:
    listed = session.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=PREFIX)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_a_webhook_url_on_the_deployed_endpoint_reaches_the_handler_on_its_route(
    synthesized: Synthesized, dataplane_bucket: Any
) -> None:
    _task(dataplane_bucket, "right")
    heartbeat, result = webhook_urls(ENDPOINT, PREFIX, "right")

    beat = _gateway_event(synthesized, heartbeat, json.dumps({"status": "running", "infoMsg": "half"}))
    answer = webhooks.lambda_handler(beat, None, dataplane_bucket)

    assert answer["statusCode"] == 204, answer
    stored = dataplane_bucket.client("s3").get_object(Bucket=BUCKET, Key=heartbeat_key(PREFIX))
    assert json.loads(stored["Body"].read())["infoMsg"] == "half"
    output = {"output": {"series": [{"startTimeMs": 0, "stopTimeMs": 500, "words": [{"word": "hi"}]}]}}
    answer = webhooks.lambda_handler(
        _gateway_event(synthesized, result, json.dumps(output)), None, dataplane_bucket
    )
    assert answer["statusCode"] == 204, answer
    assert any("/results/webhook-" in key for key in _stored(dataplane_bucket))


def test_a_wrong_secret_on_the_deployed_route_is_a_403_that_stores_nothing(
    synthesized: Synthesized, dataplane_bucket: Any
) -> None:
    _task(dataplane_bucket, "right")
    _, result = webhook_urls(ENDPOINT, PREFIX, "wrong")
    body = json.dumps({"output": {"series": []}})

    answer = webhooks.lambda_handler(_gateway_event(synthesized, result, body), None, dataplane_bucket)

    assert answer["statusCode"] == 403
    assert _stored(dataplane_bucket) == [task_key(PREFIX)]


def _vtn_body(size: int) -> str:
    """A result body of about `size` bytes, shaped like a long transcript."""
    item = {"startTimeMs": 1000, "stopTimeMs": 1500, "words": [{"word": "hello", "confidence": 0.9}]}
    per_item = len(json.dumps(item)) + 2
    return json.dumps({"output": {"series": [item] * max(1, size // per_item)}})


def test_a_result_up_to_the_handlers_limit_fits_one_lambda_invocation_and_a_larger_one_is_a_413(
    synthesized: Synthesized, dataplane_bucket: Any
) -> None:
    _task(dataplane_bucket, "right")
    _, result = webhook_urls(ENDPOINT, PREFIX, "right")
    largest = _gateway_event(synthesized, result, _vtn_body(webhooks.MAX_BODY_BYTES - 100))
    assert len(largest["body"]) <= webhooks.MAX_BODY_BYTES
    # API Gateway hands the body JSON-escaped inside the event: it must still fit the invocation.
    assert len(json.dumps(largest).encode()) < LAMBDA_INVOKE_PAYLOAD_BYTES

    too_large = _gateway_event(synthesized, result, _vtn_body(webhooks.MAX_BODY_BYTES + 1000))
    answer = webhooks.lambda_handler(too_large, None, dataplane_bucket)

    assert answer["statusCode"] == 413
    assert str(webhooks.MAX_BODY_BYTES) in answer["body"]
    assert _stored(dataplane_bucket) == [task_key(PREFIX)]
