"""One Step Functions state machine per workflow, named `{prefix}-{workflow}`.

Create-or-update is idempotent, so a retried request (or a propagation after an operation update)
converges on the latest definition whatever failed before.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from api.common.messages import quoted
from api.workflow.errors import StateMachineError


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class StateMachines:
    def __init__(self, client: Any, role_arn: str, prefix: str) -> None:
        self._client = client
        self._role_arn = role_arn
        self._prefix = prefix

    def name_for(self, workflow: str) -> str:
        return f"{self._prefix}-{workflow}"

    def deploy(self, workflow: str, definition: str, known_arn: str | None = None) -> str:
        """Create or update the workflow's machine with `definition`; returns its ARN."""
        try:
            if known_arn is not None:
                try:
                    self._update(known_arn, definition)
                    return known_arn
                except ClientError as exc:
                    if _error_code(exc) != "StateMachineDoesNotExist":
                        raise
            try:
                response = self._client.create_state_machine(
                    name=self.name_for(workflow), definition=definition, roleArn=self._role_arn
                )
                return str(response["stateMachineArn"])
            except ClientError as exc:
                if _error_code(exc) != "StateMachineAlreadyExists":
                    raise
            # Made by an earlier attempt whose ARN was never recorded: find it and update it.
            arn = self._find(workflow)
            if arn is None:
                raise StateMachineError(f"state machine {self.name_for(workflow)} exists but was not found")
            self._update(arn, definition)
            return arn
        except ClientError as exc:
            raise StateMachineError(
                f"Step Functions refused the state machine of workflow {quoted(workflow)}: {exc}"
            ) from exc

    def delete(self, workflow: str, known_arn: str | None = None) -> None:
        """Delete the workflow's machine, if there is one (deleting twice is fine)."""
        arn = known_arn or self._find(workflow)
        if arn is None:
            return
        try:
            self._client.delete_state_machine(stateMachineArn=arn)
        except ClientError as exc:
            if _error_code(exc) != "StateMachineDoesNotExist":
                raise StateMachineError(
                    f"could not delete state machine of {quoted(workflow)}: {exc}"
                ) from exc

    def _update(self, arn: str, definition: str) -> None:
        self._client.update_state_machine(stateMachineArn=arn, definition=definition, roleArn=self._role_arn)

    def _find(self, workflow: str) -> str | None:
        name = self.name_for(workflow)
        for page in self._client.get_paginator("list_state_machines").paginate():
            for machine in page.get("stateMachines", []):
                if machine.get("name") == name:
                    return str(machine["stateMachineArn"])
        return None
