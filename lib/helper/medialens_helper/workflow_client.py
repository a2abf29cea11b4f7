"""A small typed client of the workflow API over any transport.

Used by the CLI, the main job, the benches and the deploy-time registration of the operator library.

It speaks to the API exactly as awscurl or a deployed client would; errors the API answers become
`WorkflowApiCallError` with the API's own message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from medialens_helper.transport import DataplaneRequest, Transport

# Statuses after which an execution never changes again.
FINAL_STATUSES = frozenset({"Complete", "Error", "Cancelled"})


class WorkflowApiCallError(RuntimeError):
    """The workflow API answered with an error status."""

    def __init__(self, method: str, path: str, status_code: int, body: Any) -> None:
        message = (body.get("Message") or body.get("message")) if isinstance(body, dict) else body
        super().__init__(f"{method} {path} answered {status_code}: {message}")
        self.status_code = status_code
        self.body = body


class ExecutionDeadlineError(TimeoutError):
    """An execution did not reach a final status before the caller's deadline."""


class WorkflowClient:
    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def call(self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None) -> Any:
        response = self._transport.handle(DataplaneRequest(method, path, query or {}, body))
        if not response.ok:
            raise WorkflowApiCallError(method, path, response.status_code, response.body)
        return response.body

    def upsert(self, kind: str, definition: Mapping[str, Any]) -> dict[str, Any]:
        """Create a stage or workflow (`kind` is "stage" or "" for workflows), or update it if it exists."""
        path = f"/workflow/{kind}" if kind else "/workflow"
        try:
            return dict(self.call("POST", path, dict(definition)))
        except WorkflowApiCallError as exc:
            if exc.status_code != 409:
                raise
        return dict(self.call("PUT", path, dict(definition)))

    def operations(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/workflow/operation", query={"limit": "100"}))

    def set_max_concurrent_workflows(self, value: int) -> None:
        self.call("POST", "/system/configuration", {"Name": "MaxConcurrentWorkflows", "Value": value})

    def start(self, workflow: str, media: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
        return dict(
            self.call("POST", "/workflow/execution", {"Name": workflow, "Input": {"Media": media}, **extra})
        )

    def execution(self, execution_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/workflow/execution/{quote(execution_id, safe='')}"))

    def wait(
        self,
        execution_id: str,
        *,
        timeout: float,
        poll_seconds: float = 0.25,
        on_poll: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Poll until the execution is final; `on_poll` sees every state (for progress displays)."""
        deadline = time.monotonic() + timeout
        while True:
            record = self.execution(execution_id)
            if on_poll is not None:
                on_poll(record)
            if record["Status"] in FINAL_STATUSES:
                return record
            if time.monotonic() >= deadline:
                raise ExecutionDeadlineError(
                    f"execution {execution_id} still {record['Status']} after {timeout:.0f} s"
                )
            time.sleep(poll_seconds)
