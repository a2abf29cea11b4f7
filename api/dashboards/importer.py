"""Put Medialens's index template and Dashboards saved objects into an OpenSearch domain.

Two SigV4-signed calls (service `es`) with the caller's credentials:

1. `PUT /_index_template/medialens` (`api.search.mapping`), so every `{prefix}-*` index the
   consumer writes gets the fields Dashboards aggregates on;
2. `POST /_dashboards/api/saved_objects/_import?overwrite=true` with `saved_objects.ndjson` (an
   index pattern over `{prefix}-*`, one saved Discover search per kind of finding, five
   visualizations and the "Medialens overview" dashboard), as a multipart upload with the
   `osd-xsrf` header Dashboards requires. Importing again replaces the objects (same ids).

Errors: `DashboardsImportError` with the status and the start of the answer for any non-2xx, or
an import answer that lists failures (`success: false`, `errors[]`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from api.search.mapping import TEMPLATE_NAME, index_template

SAVED_OBJECTS = Path(__file__).resolve().parent / "saved_objects.ndjson"
SIGNING_SERVICE = "es"
TIMEOUT_SECONDS = 30
DEFAULT_PATTERN_TITLE = "medialens-*"


class DashboardsImportError(RuntimeError):
    """The domain refused the template or the saved objects."""


def saved_objects(prefix: str) -> bytes:
    """The saved objects file, with its index pattern over `{prefix}-*` (the file says `medialens-*`)."""
    lines = []
    for line in SAVED_OBJECTS.read_text().splitlines():
        item = json.loads(line)
        if item["type"] == "index-pattern" and item["attributes"]["title"] == DEFAULT_PATTERN_TITLE:
            item["attributes"]["title"] = f"{prefix}-*"
        lines.append(json.dumps(item, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode()


class DashboardsImporter:
    def __init__(self, endpoint: str, region: str, *, session: boto3.Session | None = None) -> None:
        self._endpoint = endpoint.rstrip("/")
        self._region = region
        self._session = session or boto3.Session()

    def apply(self, prefix: str) -> dict[str, int]:
        """Put the template, then import the objects; returns {"Objects": how many were imported}."""
        body = json.dumps(index_template(prefix)).encode()
        self._send("PUT", f"/_index_template/{TEMPLATE_NAME}", body, {"Content-Type": "application/json"})
        boundary = "medialens-saved-objects"
        upload = (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="file"; filename="medialens.ndjson"\r\n'
                "Content-Type: application/ndjson\r\n\r\n"
            ).encode()
            + saved_objects(prefix)
            + f"\r\n--{boundary}--\r\n".encode()
        )
        answer = self._send(
            "POST",
            "/_dashboards/api/saved_objects/_import?overwrite=true",
            upload,
            {"Content-Type": f"multipart/form-data; boundary={boundary}", "osd-xsrf": "true"},
        )
        if not isinstance(answer, dict) or answer.get("success") is not True:
            errors = answer.get("errors") if isinstance(answer, dict) else answer
            raise DashboardsImportError(f"Dashboards refused saved objects: {json.dumps(errors)[:500]}")
        return {"Objects": int(answer.get("successCount", 0))}

    def _send(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Any:
        url = self._endpoint + path
        request = AWSRequest(method=method, url=url, data=body, headers=headers)
        credentials = self._session.get_credentials()
        if credentials is None:
            raise DashboardsImportError("no AWS credentials to sign with")
        SigV4Auth(credentials.get_frozen_credentials(), SIGNING_SERVICE, self._region).add_auth(request)
        try:
            response = requests.request(
                method, url, data=body, headers=dict(request.headers.items()), timeout=TIMEOUT_SECONDS
            )
        except requests.RequestException as exc:
            raise DashboardsImportError(f"cannot reach {self._endpoint}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise DashboardsImportError(
                f"{method} {path} answered {response.status_code}: {response.text[:300]}"
            )
        try:
            return response.json()
        except ValueError:
            return None
