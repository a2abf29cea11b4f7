"""The operator library's registration on the local platform: operators (the sample engines' among
them), then the library's stages and workflows, so a fresh platform lists its default workflows.

It goes through the same `LibraryRegistrar` as the deploy's custom resource. What it registered is
recorded in the state folder (`library.json`), the local counterpart of the custom resource's
previous properties: the next start updates what the library owns, and keeps as it is whatever a
user registered through the API under a library name (`LibraryOutcome.kept` says which and why).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from medialens_helper.workflow_client import WorkflowClient

from api.registration.apply import CREATION_ORDER, DefinitionKind, LibraryRegistrar
from medialens.state import StateDir
from operators.library_workflows import library_stages, library_workflows

LOG = logging.getLogger(__name__)
Definitions = Mapping[DefinitionKind, Sequence[Mapping[str, Any]]]


@dataclass
class LibraryOutcome:
    registered: dict[DefinitionKind, list[str]] = field(default_factory=dict)
    kept: list[tuple[str, str]] = field(default_factory=list)  # ("operation Name", why)

    def lines(self) -> list[str]:
        """Progress lines: what was registered, and one line per definition a user keeps."""
        counts = ", ".join(
            f"{len(names)} {kind.value}{'' if len(names) == 1 else 's'}"
            for kind, names in self.registered.items()
        )
        lines = [f"library registered: {counts}"]
        for label, reason in self.kept:
            kind, name = label.split(" ", 1)
            path = DefinitionKind(kind).path(name)
            lines.append(
                f"kept the {label} registered through the API ({reason}); DELETE {path} for the library one"
            )
        return lines


def register_library(
    client: WorkflowClient, state: StateDir, operations: Sequence[Mapping[str, Any]]
) -> LibraryOutcome:
    """Register `operations` (the operator library's requests), the library stages and workflows."""
    names = {str(operation["Name"]) for operation in operations}
    desired: Definitions = {
        DefinitionKind.OPERATION: operations,
        DefinitionKind.STAGE: library_stages(names),
        DefinitionKind.WORKFLOW: library_workflows(names),
    }
    previous = _read_record(state)
    registrar = LibraryRegistrar(client)
    outcome = LibraryOutcome()
    for kind in CREATION_ORDER:
        outcome.registered[kind] = registrar.register(kind, desired[kind], previous.get(kind, ()))
    outcome.kept = list(registrar.kept)
    _write_record(
        state,
        {
            kind: [d for d in desired[kind] if d["Name"] in outcome.registered[kind]]
            for kind in CREATION_ORDER
        },
    )
    return outcome


def _read_record(state: StateDir) -> Definitions:
    try:
        document = json.loads(state.library_record.read_text())
        return {DefinitionKind(kind): list(items) for kind, items in document.items()}
    except FileNotFoundError:
        return {}
    except (ValueError, TypeError, AttributeError) as exc:  # damaged: own only what is provably ours
        LOG.warning("ignoring unreadable %s: %s", state.library_record, exc)
        return {}


def _write_record(state: StateDir, registered: Definitions) -> None:
    state.ensure()
    document = {kind.value: list(items) for kind, items in registered.items()}
    state.library_record.write_text(json.dumps(document, indent=2, sort_keys=True))
