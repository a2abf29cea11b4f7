"""Property-based runs of an API against its OpenAPI document (schemathesis), SigV4-signed.

Each operation of a document gets `cases` generated requests, half valid by the document
(positive) and half not (negative), sent to a running API; every answer must pass CHECKS: no 5xx,
a status code the operation documents, its documented content type, a body that matches the
documented schema, and no 2xx for a request the document forbids. The test suite
(tests/local/fuzz) and the long run (bench/api_fuzz.py) use this.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis
import requests
import schemathesis
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from medialens.state import LocalCredentials

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = {
    "workflow": REPO_ROOT / "docs" / "workflow-openapi.json",
    "dataplane": REPO_ROOT / "docs" / "dataplane-openapi.json",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,  # a request the document forbids must not be accepted (2xx)
]
REQUEST_TIMEOUT_SECONDS = 60


class SigV4RequestAuth(requests.auth.AuthBase):
    """Signs a prepared request for API Gateway (`execute-api`) as botocore's SigV4Auth does."""

    def __init__(self, credentials: LocalCredentials) -> None:
        self._credentials = Credentials(credentials.access_key_id, credentials.secret_access_key)
        self._region = credentials.region

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        data = body.encode("utf-8") if isinstance(body, str) else body
        signable = AWSRequest(
            method=request.method, url=request.url, data=data, headers=dict(request.headers)
        )
        SigV4Auth(self._credentials, "execute-api", self._region).add_auth(signable)
        request.headers.update(dict(signable.headers.items()))
        return request


@dataclass(frozen=True)
class Outcome:
    """What one operation's run found: cases sent, and the first failure (shrunk), if any."""

    api: str
    label: str
    cases: int
    seconds: float
    failure: str | None


def operation_labels(api: str) -> list[str]:
    """`METHOD /path` of every operation in the committed document of `api`."""
    document = json.loads(DOCUMENTS[api].read_text(encoding="utf-8"))
    return [f"{method.upper()} {path}" for path, methods in document["paths"].items() for method in methods]


def _operations(api: str) -> Iterator[Any]:
    schema = schemathesis.openapi.from_path(str(DOCUMENTS[api]))
    for result in schema.get_all_operations():
        yield result.ok()


def fuzz_operation(
    api: str, label: str, *, base_url: str, auth: requests.auth.AuthBase, cases: int, derandomize: bool
) -> Outcome:
    """Send `cases` generated requests for one operation; never raises for a failed check."""
    operation = next(op for op in _operations(api) if op.label == label)
    session = requests.Session()
    sent = 0
    started = time.monotonic()
    failure: str | None = None
    raw = operation.definition.raw
    # An operation with no parameters and no body has nothing a request could get wrong.
    can_be_invalid = bool(raw.get("parameters") or raw.get("requestBody"))
    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if can_be_invalid else [])
    for mode in modes:

        @hypothesis.settings(
            max_examples=max(1, cases // 2),
            deadline=None,
            derandomize=derandomize,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.generate, hypothesis.Phase.shrink],
            print_blob=False,
        )
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            nonlocal sent
            sent += 1
            case.call_and_validate(
                base_url=base_url,
                session=session,
                checks=CHECKS,
                auth=auth,
                timeout=REQUEST_TIMEOUT_SECONDS,
            )

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # a failed check, shrunk by Hypothesis
            failure = f"{mode.value}: {exc}"
            break
    return Outcome(api, label, sent, time.monotonic() - started, failure)
