"""Create, update and remove the library's definitions through the workflow API.

Order matters: operations before the stages that list them, stages before workflows; removal the
other way round. Removing is best effort: a definition a user's own stage or workflow still uses
answers 409 and is left in place, which is what its user needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools import Logger
from medialens_helper.workflow_client import WorkflowApiCallError, WorkflowClient

from api.registration.properties import Definition, RegistrationProperties

logger = Logger(child=True)

# kind -> (upsert kind for WorkflowClient, path of one definition)
_OPERATION, _STAGE, _WORKFLOW = "operation", "stage", "workflow"
_PATHS = {_OPERATION: "/workflow/operation/{}", _STAGE: "/workflow/stage/{}", _WORKFLOW: "/workflow/{}"}
_UPSERT_KIND = {_OPERATION: "operation", _STAGE: "stage", _WORKFLOW: ""}


class RegistrationError(RuntimeError):
    """The API refused a definition; the message names it and gives the API's reason."""


@dataclass
class Outcome:
    registered: dict[str, list[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # could not be removed (in use, or already gone)

    def as_data(self) -> dict[str, Any]:
        """CloudFormation `Data` (readable with Fn::GetAtt): counts and names, all strings."""
        data: dict[str, Any] = {
            f"{kind.title()}s": ",".join(names) for kind, names in self.registered.items()
        }
        data["Removed"] = ",".join(self.removed)
        data["Left"] = ",".join(self.left)
        return data


class LibraryRegistrar:
    def __init__(self, client: WorkflowClient) -> None:
        self._client = client

    def apply(
        self, desired: RegistrationProperties, previous: RegistrationProperties | None = None
    ) -> Outcome:
        """Make the API hold `desired`; what only `previous` had is removed afterwards."""
        outcome = Outcome()
        self._client.set_max_concurrent_workflows(desired.MaxConcurrentWorkflows)
        for kind, definitions in _in_creation_order(desired):
            outcome.registered[kind] = [self._upsert(kind, definition) for definition in definitions]
        if previous is not None:
            self._remove(_dropped(previous, desired), outcome)
        return outcome

    def remove(self, registered: RegistrationProperties) -> Outcome:
        """Remove everything `registered` lists; never raises (a failed stack delete helps nobody)."""
        outcome = Outcome()
        self._remove(
            [(kind, [d["Name"] for d in defs]) for kind, defs in _in_creation_order(registered)], outcome
        )
        return outcome

    def _upsert(self, kind: str, definition: Definition) -> str:
        name = str(definition["Name"])
        try:
            self._client.upsert(_UPSERT_KIND[kind], definition)
        except WorkflowApiCallError as exc:
            raise RegistrationError(f"{kind} '{name}' was refused: {exc}") from exc
        logger.info("registered", extra={"definition": f"{kind} {name}"})
        return name

    def _remove(self, by_kind: Sequence[tuple[str, list[str]]], outcome: Outcome) -> None:
        for kind, names in reversed(by_kind):  # workflows first, operations last
            for name in names:
                label = f"{kind} {name}"
                try:
                    self._client.call("DELETE", _PATHS[kind].format(quote(name, safe="")))
                except Exception as exc:  # best effort, each failure logged with its reason
                    logger.warning("left in place", extra={"definition": label, "reason": str(exc)})
                    outcome.left.append(label)
                else:
                    outcome.removed.append(label)


def _in_creation_order(properties: RegistrationProperties) -> list[tuple[str, list[Definition]]]:
    return [
        (_OPERATION, properties.Operations),
        (_STAGE, properties.Stages),
        (_WORKFLOW, properties.Workflows),
    ]


def _dropped(
    previous: RegistrationProperties, desired: RegistrationProperties
) -> list[tuple[str, list[str]]]:
    dropped = []
    for (kind, before), (_, now) in zip(
        _in_creation_order(previous), _in_creation_order(desired), strict=True
    ):
        kept = {d["Name"] for d in now}
        dropped.append((kind, [d["Name"] for d in before if d["Name"] not in kept]))
    return dropped
