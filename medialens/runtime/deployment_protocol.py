"""What the local platform needs from a deployment: its functions, resources, routes and sources.

The application (control plane + dataplane) implements this; the runtime only runs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import boto3

from medialens.runtime.event_sources import EventSourceSpec
from medialens.runtime.functions import FunctionSpec

# Base paths under which the local API serves the two REST APIs (AWS serves each on its own host).
WORKFLOW_API_BASE = "/workflow-api"
DATAPLANE_API_BASE = "/dataplane-api"


class Deployment(Protocol):
    @property
    def bucket_name(self) -> str:
        """The dataplane bucket."""
        ...

    def functions(self, moto_url: str, api_url: str) -> list[FunctionSpec]:
        """Every Lambda function, with its environment pointing at the local endpoints."""
        ...

    def provision(self, session: boto3.Session) -> None:
        """Create buckets, tables, streams, queues, rules and state machines (the functions exist)."""
        ...

    def event_sources(self) -> list[EventSourceSpec]: ...

    def api_routes(self) -> Mapping[str, str]:
        """Base path -> function name, e.g. {"/workflow-api": "WorkflowApi"}."""
        ...
