"""A boto3 Session whose clients all talk to the local moto server.

Provisioning code and snapshots take a Session and call `session.client("s3")` without an
endpoint; this subclass fills it in, so the same code serves AWS and the local runtime.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3

from medialens.state import LocalCredentials


class LocalSession(boto3.Session):
    """`service_endpoints` names the services served elsewhere ({"dynamodb": url})."""

    def __init__(
        self,
        credentials: LocalCredentials,
        endpoint_url: str,
        service_endpoints: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            region_name=credentials.region,
        )
        self.endpoint_url = endpoint_url
        self.service_endpoints = dict(service_endpoints or {})

    def client(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("endpoint_url", self.service_endpoints.get(service_name, self.endpoint_url))
        return super().client(service_name, *args, **kwargs)

    def resource(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("endpoint_url", self.service_endpoints.get(service_name, self.endpoint_url))
        return super().resource(service_name, *args, **kwargs)
