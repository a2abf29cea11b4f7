"""Sign requests for the local API the way clients of API Gateway do (botocore SigV4Auth)."""

from __future__ import annotations

from datetime import datetime
from unittest import mock

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from medialens.state import LocalCredentials

from .conftest import CREDENTIALS


def sign(
    method: str,
    url: str,
    body: bytes = b"",
    *,
    credentials: LocalCredentials = CREDENTIALS,
    region: str | None = None,
    headers: dict[str, str] | None = None,
    when: datetime | None = None,
) -> dict[str, str]:
    request = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    signer = SigV4Auth(
        Credentials(credentials.access_key_id, credentials.secret_access_key),
        "execute-api",
        region or credentials.region,
    )
    if when is None:
        signer.add_auth(request)
    else:
        with mock.patch("botocore.auth.get_current_datetime", return_value=when):
            signer.add_auth(request)
    return dict(request.headers.items())


def signed_request(method: str, url: str, body: bytes = b"", **kwargs: object) -> requests.Response:
    headers = sign(method, url, body, **kwargs)  # type: ignore[arg-type]
    return requests.request(method, url, data=body, headers=headers, timeout=30)
