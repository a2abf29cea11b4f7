"""The local API routes by base path, checks SigV4 like API Gateway's AWS_IAM auth, and proxies."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from medialens.runtime.api_gateway import MAX_REQUEST_BYTES, TOO_LARGE_MESSAGE, LocalApiGateway, serve
from medialens.runtime.workers import WorkerPool
from medialens.state import LocalCredentials

from .conftest import CREDENTIALS
from .signing import sign, signed_request

pytestmark = pytest.mark.local
AWSCURL = Path(sys.executable).with_name("awscurl")


@pytest.fixture(scope="module")
def api_url(pool: WorkerPool) -> Iterator[str]:
    routes = {"/dataplane-api": "api", "/workflow-api": "api", "/broken-api": "fail"}
    server, thread, url = serve(LocalApiGateway(routes, pool.invoke, CREDENTIALS))
    yield url
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_signed_request_is_proxied_with_path_query_body_and_caller(api_url: str) -> None:
    url = f"{api_url}/dataplane-api/metadata/asset-1?page=2&operator=ocr"
    response = signed_request("POST", url, b'{"results": [1]}', headers={"Content-Type": "application/json"})
    assert response.status_code == 201
    answer = response.json()
    assert answer["path"] == "/metadata/asset-1"
    assert answer["method"] == "POST"
    assert answer["query"] == {"page": "2", "operator": "ocr"}
    assert answer["body"] == '{"results": [1]}'
    assert answer["stage"] == "api"
    assert answer["identity"]["accessKey"] == CREDENTIALS.access_key_id
    assert answer["identity"]["userArn"].endswith(f":user/{CREDENTIALS.access_key_id}")
    assert response.headers["X-Multi"] == "a, b"  # multiValueHeaders, merged by requests


def test_repeated_query_keys_and_encoded_path(api_url: str) -> None:
    url = f"{api_url}/workflow-api/workflow/execution/a%20b?tag=x&tag=y"
    response = signed_request("GET", url)
    assert response.status_code == 200, response.text
    assert response.json()["path"] == "/workflow/execution/a%20b"
    assert response.json()["multi_query"] == {"tag": ["x", "y"]}


def test_health_check_needs_no_signature(api_url: str) -> None:
    response = requests.get(f"{api_url}/workflow-api/", timeout=10)
    assert response.status_code == 200
    assert response.json()["path"] == "/"


def test_unknown_base_path_is_404(api_url: str) -> None:
    response = signed_request("GET", f"{api_url}/nope-api/thing")
    assert response.status_code == 404


def test_function_error_is_502(api_url: str) -> None:
    response = signed_request("GET", f"{api_url}/broken-api/anything")
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}


def test_handler_exception_and_malformed_response_are_502(api_url: str) -> None:
    assert signed_request("GET", f"{api_url}/dataplane-api/boom").status_code == 502
    malformed = signed_request("GET", f"{api_url}/dataplane-api/malformed")
    assert malformed.status_code == 502
    assert malformed.json() == {"message": "Internal server error"}


def test_base64_body_is_decoded(api_url: str) -> None:
    response = signed_request("GET", f"{api_url}/dataplane-api/binary")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.content == b"\x89PNG\r\n\x1a\n"[:6]


def test_unsigned_request_is_403(api_url: str) -> None:
    response = requests.get(f"{api_url}/dataplane-api/metadata/x", timeout=10)
    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"credentials": LocalCredentials(CREDENTIALS.access_key_id, "wrong-secret", "us-east-1")},
        {"credentials": LocalCredentials("AKIDUNKNOWN0000", CREDENTIALS.secret_access_key, "us-east-1")},
        {"region": "eu-west-1"},
        {"age": timedelta(minutes=20)},
        {"age": -timedelta(minutes=20)},
    ],
    ids=["wrong-secret", "unknown-key", "wrong-region", "stale-date", "future-date"],
)
def test_bad_signatures_are_403(api_url: str, kwargs: dict[str, object]) -> None:
    age = kwargs.pop("age", None)
    if isinstance(age, timedelta):
        # Dated when the test runs, not when it was collected: a slow suite must not bring a
        # "future" date back inside the 15-minute window.
        kwargs["when"] = datetime.now(UTC) - age
    response = signed_request("GET", f"{api_url}/dataplane-api/metadata/x", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 403
    assert response.json()["message"]


def test_a_body_over_10_mb_is_413_as_api_gateway_answers(api_url: str) -> None:
    body = b"x" * (MAX_REQUEST_BYTES + 1)
    response = signed_request("POST", f"{api_url}/dataplane-api/create", body)
    assert response.status_code == 413
    assert response.json() == {"message": TOO_LARGE_MESSAGE}
    assert response.headers["x-amzn-ErrorType"] == "RequestTooLarge"


def test_a_body_of_10_mb_is_passed_on(api_url: str) -> None:
    body = b"x" * MAX_REQUEST_BYTES
    response = signed_request("POST", f"{api_url}/dataplane-api/create", body)
    assert response.status_code == 201
    assert len(response.json()["body"]) == MAX_REQUEST_BYTES


def test_an_oversized_body_is_refused_before_it_is_read(api_url: str) -> None:
    """The answer comes while the client has sent only the headers: nothing of the body is awaited."""
    host, port = api_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"POST /dataplane-api/create HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (host.encode(), 50 * 1024 * 1024)
        )
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_chunked_body_is_cut_off_at_10_mb(api_url: str) -> None:
    chunk = b"x" * (1024 * 1024)
    chunks = (chunk for _ in range(11))  # no Content-Length: sent chunked
    response = requests.post(f"{api_url}/dataplane-api/create", data=chunks, timeout=30)
    assert response.status_code == 413
    assert response.json() == {"message": TOO_LARGE_MESSAGE}


def test_tampered_body_is_403(api_url: str) -> None:
    url = f"{api_url}/dataplane-api/metadata/x"
    headers = sign("POST", url, b'{"amount": 1}')
    response = requests.post(url, data=b'{"amount": 1000}', headers=headers, timeout=10)
    assert response.status_code == 403
    assert "signature" in response.json()["message"]


def test_tampered_path_and_query_are_403(api_url: str) -> None:
    headers = sign("GET", f"{api_url}/dataplane-api/metadata/x?a=1")
    other_query = requests.get(f"{api_url}/dataplane-api/metadata/x?a=2", headers=headers, timeout=10)
    other_path = requests.get(f"{api_url}/dataplane-api/metadata/y?a=1", headers=headers, timeout=10)
    assert other_query.status_code == other_path.status_code == 403


def _awscurl(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": CREDENTIALS.access_key_id,
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS.secret_access_key,
        "AWS_DEFAULT_REGION": CREDENTIALS.region,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    command = [
        str(AWSCURL),
        "--service",
        "execute-api",
        "--region",
        CREDENTIALS.region,
        "--fail-with-body",
        *args,
    ]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_awscurl_get_and_post_are_accepted(api_url: str) -> None:
    got = _awscurl(f"{api_url}/workflow-api/workflow/execution/a%20b~c?status=Queued&limit=5")
    assert got.returncode == 0, got.stdout + got.stderr
    assert json.loads(got.stdout)["path"] == "/workflow/execution/a%20b~c"
    assert json.loads(got.stdout)["query"] == {"status": "Queued", "limit": "5"}
    posted = _awscurl(
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "-d",
        '{"Name": "wf"}',
        f"{api_url}/workflow-api/workflow/execution",
    )
    assert posted.returncode == 0, posted.stderr
    body = json.loads(posted.stdout)
    assert body["method"] == "POST"
    assert body["body"] == '{"Name": "wf"}'


def test_awscurl_with_wrong_secret_is_403(api_url: str) -> None:
    result = _awscurl("--secret_key", "not-the-secret", f"{api_url}/workflow-api/workflow/execution")
    assert result.returncode != 0
    assert "signature we calculated does not match" in result.stdout


def test_an_open_base_path_is_proxied_unsigned_and_the_others_still_need_sigv4(pool: WorkerPool) -> None:
    routes = {"/hooks": "api", "/workflow-api": "api"}
    server, thread, url = serve(LocalApiGateway(routes, pool.invoke, CREDENTIALS, open_bases=("/hooks",)))
    try:
        assert requests.post(f"{url}/hooks/tasks/t/s/heartbeat", json={}, timeout=10).status_code == 201
        assert requests.post(f"{url}/workflow-api/workflow", json={}, timeout=10).status_code == 403
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
