from __future__ import annotations

import base64
import json
import uuid
from typing import Any
from urllib.parse import unquote

import pytest
from medialens_helper import (
    DataPlane,
    DataplaneNotFoundError,
    DataplaneRequest,
    DataplaneResponse,
    DataplaneUnavailableError,
    InProcessTransport,
)


def proxy(status: int, body: Any) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


class RecordingHandler:
    def __init__(self, result: Any) -> None:
        self.result = result
        self.calls: list[tuple[dict[str, Any], Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.calls.append((event, context))
        return self.result


def test_request_reaches_the_handler_as_an_api_gateway_proxy_event() -> None:
    handler = RecordingHandler(proxy(200, {"Status": "Success"}))
    body = {"OperatorName": "Labels", "Results": [1, 2]}

    response = InProcessTransport(handler).handle(
        DataplaneRequest("POST", "/metadata/a%2F1", {"cursor": "c"}, body)
    )

    assert response == DataplaneResponse(200, {"Status": "Success"})
    [(event, context)] = handler.calls
    assert event["httpMethod"] == "POST"
    assert event["path"] == "/metadata/a%2F1"
    assert event["queryStringParameters"] == {"cursor": "c"}
    assert event["headers"]["Content-Type"] == "application/json"
    assert json.loads(event["body"]) == body
    assert event["isBase64Encoded"] is False
    assert event["requestContext"]["stage"] == "api"
    assert event["requestContext"]["path"] == "/api/metadata/a%2F1"
    assert unquote(event["pathParameters"]["proxy"]) == "metadata/a/1"
    # Powertools' Logger and Lambda handlers read these from the context.
    assert context.function_name and context.invoked_function_arn.startswith("arn:aws:lambda:")
    assert uuid.UUID(context.aws_request_id)
    assert context.get_remaining_time_in_millis() > 0


def test_get_request_has_no_body() -> None:
    handler = RecordingHandler(proxy(200, {}))
    InProcessTransport(handler).handle(DataplaneRequest("GET", "/metadata"))
    [(event, _context)] = handler.calls
    assert event["body"] is None
    assert event["queryStringParameters"] is None


def test_base64_and_empty_bodies_are_decoded() -> None:
    encoded = base64.b64encode(json.dumps({"Url": "https://x"}).encode()).decode()
    base64_result = {"statusCode": 200, "body": encoded, "isBase64Encoded": True}
    assert InProcessTransport(RecordingHandler(base64_result)).handle(
        DataplaneRequest("POST", "/download", body={"S3Key": "k"})
    ) == DataplaneResponse(200, {"Url": "https://x"})
    empty = InProcessTransport(RecordingHandler({"statusCode": 204, "body": ""}))
    assert empty.handle(DataplaneRequest("DELETE", "/metadata/a1")) == DataplaneResponse(204, None)


def test_a_failing_handler_is_a_502_with_the_original_error_as_cause() -> None:
    def broken(_event: dict[str, Any], _context: Any) -> Any:
        raise KeyError("DATAPLANE_TABLE")

    with pytest.raises(DataplaneUnavailableError, match="KeyError") as caught:
        InProcessTransport(broken).handle(DataplaneRequest("GET", "/metadata"))
    assert caught.value.status_code == 502
    assert isinstance(caught.value.__cause__, KeyError)


@pytest.mark.parametrize(
    "result",
    [
        None,
        {"body": "{}"},
        {"statusCode": "200", "body": "{}"},
        {"statusCode": 200, "body": "!", "isBase64Encoded": True},
    ],
)
def test_malformed_proxy_responses_are_rejected_like_api_gateway(result: Any) -> None:
    with pytest.raises(DataplaneUnavailableError, match="malformed Lambda proxy response") as caught:
        InProcessTransport(RecordingHandler(result)).handle(DataplaneRequest("GET", "/metadata"))
    assert caught.value.status_code == 502


class TinyDataplane:
    """A few dataplane routes over a dict: enough to run DataPlane end to end in process."""

    def __init__(self) -> None:
        self.pages: dict[tuple[str, str], list[Any]] = {}

    def __call__(self, event: dict[str, Any], _context: Any) -> dict[str, Any]:
        method, parts = event["httpMethod"], [unquote(p) for p in event["path"].strip("/").split("/")]
        query = event["queryStringParameters"] or {}
        if method == "POST" and parts == ["create"]:
            return proxy(200, {"AssetId": "a1", "S3Bucket": "dp", "S3Key": "private/assets/a1/input/v.mp4"})
        if method == "POST" and parts[0] == "metadata":
            body = json.loads(event["body"])
            stored = self.pages.setdefault((parts[1], body["OperatorName"]), [])
            stored.append(body["Results"])  # appended, as the dataplane does without "Page"
            return proxy(200, {"Status": "Success", "Page": len(stored), "End": body["End"]})
        if method == "GET" and parts[0] == "metadata" and (parts[1], parts[2]) in self.pages:
            stored = self.pages[(parts[1], parts[2])]
            index = int(query.get("cursor", "0"))
            answer = {"asset_id": parts[1], "operator": parts[2], "page": index + 1, "results": stored[index]}
            if index + 1 < len(stored):
                answer["cursor"] = str(index + 1)
            return proxy(200, answer)
        if method == "DELETE" and parts[0] == "metadata":
            self.pages = {key: value for key, value in self.pages.items() if key[0] != parts[1]}
            return proxy(200, {})
        return proxy(404, {"Message": f"no route or item for {method} {event['path']}", "Code": "NotFound"})


def test_dataplane_client_runs_end_to_end_in_process() -> None:
    dataplane = DataPlane(InProcessTransport(TinyDataplane()))

    asset_id = dataplane.create_asset("uploads", "v.mp4")["AssetId"]
    for page in range(1, 4):
        stored = dataplane.store_asset_metadata(
            asset_id, "Labels", "wf1", [page], paginate=True, end=page == 3
        )
        assert stored == {"Status": "Success", "Page": page, "End": page == 3}

    response = dataplane.retrieve_asset_metadata(asset_id, "Labels")
    pages = [response["results"]]
    while "cursor" in response:
        response = dataplane.retrieve_asset_metadata(asset_id, "Labels", cursor=response["cursor"])
        pages.append(response["results"])
    assert pages == [[1], [2], [3]]

    dataplane.delete_asset(asset_id)
    with pytest.raises(DataplaneNotFoundError, match="no route or item"):
        dataplane.retrieve_asset_metadata(asset_id, "Labels")
