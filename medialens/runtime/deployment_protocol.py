"""What the local platform needs from a deployment: its functions, resources, routes and sources.

The application (control plane + dataplane) implements this; the runtime only runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import boto3

from medialens.durability.changes import Change
from medialens.runtime.event_sources import EventSourceSpec, Invoke, PollingThread
from medialens.runtime.functions import FunctionSpec
from medialens.state import Endpoints

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

    def recover(self, session: boto3.Session, moto_url: str, replayed: Sequence[Change]) -> str | None:
        """After the snapshot and journal are back: repair what a restart lost; a progress line or None.

        `replayed`: the journaled states put back on top of the snapshot (changes since it).
        """
        ...

    def background_tasks(self, session: boto3.Session, invoke: Invoke) -> list[PollingThread]:
        """Threads standing in for what AWS does on its own (schedules, status-change events)."""
        ...

    def on_ready(self, endpoints: Endpoints, progress: Callable[[str], None]) -> None:
        """Runs once the API serves: e.g. registrations made through the API itself."""
        ...
