from __future__ import annotations

import json
import socket
import threading
from typing import Any

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from medialens_helper import (
    ConfigurationError,
    DataPlane,
    DataplaneNotFoundError,
    DataplaneRequest,
    DataplaneResponse,
    DataplaneUnavailableError,
    HttpTransport,
)

ACCESS_KEY = "AKIDMEDIALENSTEST"  # the values the aws_env fixture sets
SECRET_KEY = "medialens-test-secret-key"


def authorization_parts(header: str) -> dict[str, str]:
    algorithm, _, rest = header.partition(" ")
    assert algorithm == "AWS4-HMAC-SHA256"
    return dict(part.strip().split("=", 1) for part in rest.split(","))


def recomputed_signature(received: Any, host: str, secret: str) -> str:
    """The signature a verifier holding `secret` computes for the request as it arrived."""
    parts = authorization_parts(received.headers["authorization"])
    _, _, region, service, _ = parts["Credential"].split("/")
    signed = {name: received.headers[name] for name in parts["SignedHeaders"].split(";")}
    request = AWSRequest(
        method=received.method, url=f"http://{host}{received.target}", data=received.body, headers=signed
    )
    request.context["timestamp"] = received.headers["x-amz-date"]
    signer = SigV4Auth(Credentials(ACCESS_KEY, secret), service, region)
    return signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)


@pytest.fixture
def transport(local_server: Any, aws_env: None) -> Any:
    with HttpTransport(local_server.url, timeout=5) as http:
        yield http


def test_request_is_signed_for_execute_api_and_carries_json(
    local_server: Any, transport: HttpTransport
) -> None:
    local_server.responder = lambda _request: (201, {"Status": "Success", "Page": 2})
    body = {"OperatorName": "Labels", "Results": {"Labels": ["cat", "ü"]}, "Page": 2}

    response = transport.handle(DataplaneRequest("POST", "/metadata/a1", {"z": "1", "a": "x y"}, body))

    assert response == DataplaneResponse(201, {"Status": "Success", "Page": 2})
    [received] = local_server.received
    assert received.method == "POST"
    assert received.target == "/api/metadata/a1?a=x%20y&z=1"
    assert received.headers["content-type"] == "application/json"
    assert json.loads(received.body) == body
    parts = authorization_parts(received.headers["authorization"])
    access_key, date, region, service, terminator = parts["Credential"].split("/")
    assert (access_key, region, service, terminator) == (
        ACCESS_KEY,
        "eu-west-1",
        "execute-api",
        "aws4_request",
    )
    assert received.headers["x-amz-date"].startswith(date)
    assert {"host", "x-amz-date", "content-type"} <= set(parts["SignedHeaders"].split(";"))
    host = received.headers["host"]
    assert parts["Signature"] == recomputed_signature(received, host, SECRET_KEY)
    assert parts["Signature"] != recomputed_signature(received, host, "some-other-secret")


def test_get_without_body_is_signed_and_sends_no_body(local_server: Any, transport: HttpTransport) -> None:
    local_server.responder = lambda _request: (200, {"asset_id": "a1", "results": []})

    response = transport.handle(DataplaneRequest("GET", "/metadata/a1"))

    assert response.body == {"asset_id": "a1", "results": []}
    [received] = local_server.received
    assert received.body == b""
    assert "content-type" not in received.headers
    parts = authorization_parts(received.headers["authorization"])
    assert parts["Signature"] == recomputed_signature(received, received.headers["host"], SECRET_KEY)


def test_error_statuses_are_returned_for_the_client_to_map(
    local_server: Any, transport: HttpTransport
) -> None:
    local_server.responder = lambda _request: (404, {"Message": "no asset a1", "Code": "AssetNotFound"})

    assert transport.handle(DataplaneRequest("GET", "/metadata/a1")) == DataplaneResponse(
        404, {"Message": "no asset a1", "Code": "AssetNotFound"}
    )
    with pytest.raises(DataplaneNotFoundError, match="no asset a1"):
        DataPlane(transport).retrieve_asset_metadata("a1")


def test_body_that_is_not_json_is_returned_as_text(local_server: Any, transport: HttpTransport) -> None:
    local_server.responder = lambda _request: (502, b"<html>Bad Gateway</html>")
    assert transport.handle(DataplaneRequest("GET", "/")) == DataplaneResponse(
        502, "<html>Bad Gateway</html>"
    )


def test_refused_connection_is_a_transient_error_with_its_cause(aws_env: None) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more.
    with (
        HttpTransport(f"http://127.0.0.1:{port}/api", timeout=2) as http,
        pytest.raises(DataplaneUnavailableError, match="cannot reach the dataplane") as caught,
    ):
        http.handle(DataplaneRequest("GET", "/metadata"))
    assert caught.value.status_code == 0
    assert caught.value.code == "ConnectionError"
    assert isinstance(caught.value.__cause__, requests.ConnectionError)


def test_timeout_is_a_transient_error_with_its_cause(local_server: Any, aws_env: None) -> None:
    gave_up = threading.Event()

    def slow(_request: Any) -> tuple[int, Any]:
        gave_up.wait(timeout=5)  # answer only once the client has stopped waiting
        return 200, {}

    local_server.responder = slow
    with (
        HttpTransport(local_server.url, timeout=0.2) as http,
        pytest.raises(DataplaneUnavailableError, match=r"within 0\.2s") as caught,
    ):
        http.handle(DataplaneRequest("GET", "/metadata"))
    gave_up.set()
    assert caught.value.code == "Timeout"
    assert isinstance(caught.value.__cause__, requests.Timeout)


def test_region_comes_from_the_session_first_then_the_environment(
    monkeypatch: pytest.MonkeyPatch, aws_env: None
) -> None:
    url = "https://abc.execute-api.example.test/api"
    assert HttpTransport(url, session=boto3.Session(region_name="ap-south-1")).region == "ap-south-1"
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "ca-central-1")
    assert HttpTransport(url).region == "ca-central-1"
    monkeypatch.delenv("AWS_REGION")
    assert HttpTransport(url).region == "us-east-1"


def test_missing_credentials_are_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, aws_env: None
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    for name in ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    with (
        HttpTransport("http://127.0.0.1:9/api") as http,
        pytest.raises(ConfigurationError, match="no AWS credentials"),
    ):
        http.handle(DataplaneRequest("GET", "/metadata"))


@pytest.mark.parametrize("endpoint", ["", "abc.execute-api.amazonaws.com/api", "ftp://host/api"])
def test_endpoint_must_be_an_http_url(endpoint: str, aws_env: None) -> None:
    with pytest.raises(ConfigurationError, match="http"):
        HttpTransport(endpoint)
