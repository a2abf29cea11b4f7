"""How an operator reaches the dataplane and S3: made per invocation, replaceable in tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from medialens_helper import DataPlane, Transport


@dataclass(frozen=True)
class OperatorServices:
    """The defaults are what a Lambda uses: the dataplane from DATAPLANE_API_ENDPOINT, S3 from boto3.

    Tests pass an `InProcessTransport` and a session; nothing is built at import time, so no client
    outlives the invocation (or the mock) it was made in.
    """

    dataplane_transport: Transport | None = None
    session: boto3.session.Session | None = None

    def dataplane(self) -> DataPlane:
        return DataPlane(self.dataplane_transport)

    def s3(self) -> Any:
        return (self.session or boto3.session.Session()).client("s3")
