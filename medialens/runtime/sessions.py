"""A boto3 Session whose clients all talk to the local moto server.

Provisioning code and snapshots take a Session and call `session.client("s3")` without an
endpoint; this subclass fills it in, so the same code serves AWS and the local runtime.
"""

from __future__ import annotations

from typing import Any

import boto3

from medialens.state import LocalCredentials


class LocalSession(boto3.Session):
    def __init__(self, credentials: LocalCredentials, endpoint_url: str) -> None:
        super().__init__(
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            region_name=credentials.region,
        )
        self.endpoint_url = endpoint_url

    def client(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("endpoint_url", self.endpoint_url)
        return super().client(*args, **kwargs)

    def resource(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("endpoint_url", self.endpoint_url)
        return super().resource(*args, **kwargs)
