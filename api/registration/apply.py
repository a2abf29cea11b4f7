"""Create, update and remove the library's definitions through the workflow API.

Order matters: operations before the stages that list them, stages before workflows; removal the
other way round. Deleting an operation also deletes its singleton stage `_{name}` (the API does
it), so only the stages listed in the properties are deleted as stages.

A definition that cannot be removed because a user's own stage or workflow still uses it (409),
or that is already gone (404), is left and logged: that is what its user needs. On an Update any
other failure to remove fails the deploy; on a Delete nothing fails (a failed Delete blocks the
stack's removal and helps nobody).

The library never replaces a definition a user registered through the API under the same name:
it updates only what it owns — what it registered before (`previous`), an operation whose
functions are the library's, a stage or workflow identical in shape to its own. Anything else is
kept as it is, logged and listed in `kept`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools import Logger
from medialens_helper import MedialensError
from medialens_helper.workflow_client import WorkflowApiCallError, WorkflowClient

from api.registration.properties import Definition, RegistrationProperties

logger = Logger(child=True)

# Answers to a DELETE that leave the definition in place without being an error.
_LEFT_STATUSES = frozenset({404, 409})


class DefinitionKind(StrEnum):
    OPERATION = "operation"
    STAGE = "stage"
    WORKFLOW = "workflow"

    @property
    def upsert_kind(self) -> str:
        """The `kind` argument of `WorkflowClient.upsert` (workflows live at `/workflow` itself)."""
        return "" if self is DefinitionKind.WORKFLOW else self.value

    def path(self, name: str) -> str:
        prefix = "/workflow" if self is DefinitionKind.WORKFLOW else f"/workflow/{self.value}"
        return f"{prefix}/{quote(name, safe='')}"


CREATION_ORDER = (DefinitionKind.OPERATION, DefinitionKind.STAGE, DefinitionKind.WORKFLOW)


class RegistrationError(RuntimeError):
    """The API refused a call; the message names the definition (or setting) and gives the API's reason."""


@dataclass
class Outcome:
    registered: dict[DefinitionKind, list[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # could not be removed (in use, or already gone)
    kept: list[str] = field(default_factory=list)  # a user's own definition of a library name
    max_concurrent_workflows: int | None = None

    def as_data(self) -> dict[str, str]:
        """CloudFormation `Data` (readable with Fn::GetAtt): names and counts, all strings."""
        data: dict[str, str] = {}
        for kind, names in self.registered.items():
            data[f"{kind.value.title()}s"] = ",".join(names)
            data[f"{kind.value.title()}Count"] = str(len(names))
        data["Removed"] = ",".join(self.removed)
        data["Left"] = ",".join(self.left)
        data["Kept"] = ",".join(self.kept)
        if self.max_concurrent_workflows is not None:
            data["MaxConcurrentWorkflows"] = str(self.max_concurrent_workflows)
        return data


class LibraryRegistrar:
    def __init__(self, client: WorkflowClient) -> None:
        self._client = client
        # ("kind name", why) for each definition kept because a user registered it.
        self.kept: list[tuple[str, str]] = []

    def apply(
        self, desired: RegistrationProperties, previous: RegistrationProperties | None = None
    ) -> Outcome:
        """Make the API hold `desired`; what only `previous` had is removed afterwards."""
        outcome = Outcome()
        self.set_max_concurrent_workflows(desired.MaxConcurrentWorkflows)
        outcome.max_concurrent_workflows = desired.MaxConcurrentWorkflows
        before = dict(_by_kind(previous)) if previous is not None else {}
        for kind, definitions in _by_kind(desired):
            outcome.registered[kind] = self.register(kind, definitions, before.get(kind, ()))
        outcome.kept = [label for label, _ in self.kept]
        if previous is not None:
            self._remove(_dropped(previous, desired), outcome, strict=True)
        return outcome

    def remove(self, registered: RegistrationProperties) -> Outcome:
        """Remove everything `registered` lists; never raises, each failure is logged and listed."""
        outcome = Outcome()
        names = [(kind, [d["Name"] for d in definitions]) for kind, definitions in _by_kind(registered)]
        self._remove(names, outcome, strict=False)
        return outcome

    def register(
        self,
        kind: DefinitionKind,
        definitions: Iterable[Mapping[str, Any]],
        previous: Iterable[Mapping[str, Any]] = (),
    ) -> list[str]:
        """Create each definition, or update it if the library owns it; returns the names registered.

        `previous` is what the library registered last time. A same-named definition the library
        does not own is left as it is and noted in `self.kept`.
        """
        before = {str(item["Name"]): item for item in previous}
        names = []
        for definition in definitions:
            name = str(definition["Name"])
            reason = self._users_own(kind, definition, before.get(name))
            if reason is not None:
                label = f"{kind.value} {name}"
                logger.warning(
                    "kept a definition a user registered", extra={"definition": label, "reason": reason}
                )
                self.kept.append((label, reason))
                continue
            try:
                self._client.upsert(kind.upsert_kind, definition)
            except (WorkflowApiCallError, MedialensError) as exc:
                raise RegistrationError(f"{kind.value} '{name}' was refused: {exc}") from exc
            logger.info("registered", extra={"definition": f"{kind.value} {name}"})
            names.append(name)
        return names

    def _users_own(
        self, kind: DefinitionKind, desired: Mapping[str, Any], previous: Mapping[str, Any] | None
    ) -> str | None:
        """Why the definition of that name belongs to a user (so it is kept), or None if it may be written."""
        try:
            found = self._client.call("GET", kind.path(str(desired["Name"])))
        except WorkflowApiCallError as exc:
            if exc.status_code == 404:
                return None
            raise RegistrationError(f"{kind.value} '{desired['Name']}' could not be read: {exc}") from exc
        except MedialensError as exc:
            raise RegistrationError(f"{kind.value} '{desired['Name']}' could not be read: {exc}") from exc
        if kind is DefinitionKind.OPERATION:
            # The library's operators run the library's functions (now, or as last registered).
            if _functions(found) in {_functions(desired), *([_functions(previous)] if previous else [])}:
                return None
            return f"its StartLambdaArn {found.get('StartLambdaArn')} is not one of the library functions"
        if previous is not None or _shape(kind, found) == _shape(kind, desired):
            return None
        return "it differs from the library definition, which was never registered here"

    def set_max_concurrent_workflows(self, value: int) -> None:
        try:
            self._client.set_max_concurrent_workflows(value)
        except (WorkflowApiCallError, MedialensError) as exc:
            raise RegistrationError(f"MaxConcurrentWorkflows {value} was refused: {exc}") from exc

    def _remove(
        self, by_kind: Sequence[tuple[DefinitionKind, list[str]]], outcome: Outcome, *, strict: bool
    ) -> None:
        for kind, names in reversed(by_kind):  # workflows first, operations last
            for name in names:
                label = f"{kind.value} {name}"
                try:
                    self._client.call("DELETE", kind.path(name))
                except Exception as exc:  # each failure judged, logged, and (on Delete) survived
                    status = exc.status_code if isinstance(exc, WorkflowApiCallError) else None
                    if strict and status not in _LEFT_STATUSES:
                        raise RegistrationError(f"{label} could not be removed: {exc}") from exc
                    logger.warning("left in place", extra={"definition": label, "reason": str(exc)})
                    outcome.left.append(label)
                else:
                    logger.info("removed", extra={"definition": label})
                    outcome.removed.append(label)


def _by_kind(properties: RegistrationProperties) -> list[tuple[DefinitionKind, list[Definition]]]:
    listed = {
        DefinitionKind.OPERATION: properties.Operations,
        DefinitionKind.STAGE: properties.Stages,
        DefinitionKind.WORKFLOW: properties.Workflows,
    }
    return [(kind, listed[kind]) for kind in CREATION_ORDER]


def _dropped(
    previous: RegistrationProperties, desired: RegistrationProperties
) -> list[tuple[DefinitionKind, list[str]]]:
    dropped = []
    for (kind, before), (_, now) in zip(_by_kind(previous), _by_kind(desired), strict=True):
        kept = {d["Name"] for d in now}
        dropped.append((kind, [d["Name"] for d in before if d["Name"] not in kept]))
    return dropped


def _functions(definition: Mapping[str, Any]) -> tuple[Any, Any]:
    return definition.get("StartLambdaArn"), definition.get("MonitorLambdaArn")


def _shape(kind: DefinitionKind, definition: Mapping[str, Any]) -> Any:
    """What makes a stage or workflow what it is: its operations, or its chain of stages."""
    if kind is DefinitionKind.STAGE:
        return sorted(definition.get("Operations") or [])
    stages = definition.get("Stages") or {}
    return definition.get("StartAt"), sorted(
        (name, (step or {}).get("Next")) for name, step in stages.items()
    )
