"""The operators under `operators/` as local Lambda functions, and their registration through the API.

Each operator's handlers become functions named `medialens-op-{Name}-{start|monitor}`; once the
platform serves its API, every operator is registered (created, or updated if it exists) with the
ARNs of those functions, exactly as a user would with `POST /workflow/operation`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from medialens_helper.workflow_client import WorkflowClient

from api.registration.apply import DefinitionKind, LibraryRegistrar
from medialens.runtime.functions import FunctionSpec
from operators.catalog import CatalogEntry, local_function_name


def operator_functions(entries: Sequence[CatalogEntry], environment: Mapping[str, str]) -> list[FunctionSpec]:
    """One function per handler of each operator, with the operator's own timeout and memory."""
    return [
        FunctionSpec(
            name=local_function_name(entry.definition.Name, role),
            handler=handler,
            environment={**environment, "POWERTOOLS_SERVICE_NAME": entry.definition.Name},
            timeout_seconds=entry.definition.TimeoutSeconds,
            memory_mb=entry.definition.MemoryMB,
        )
        for entry in entries
        for role, handler in entry.definition.handlers().items()
    ]


def register_operators(
    client: WorkflowClient, entries: Sequence[CatalogEntry], function_arn: Callable[[str], str]
) -> list[str]:
    """Create or update each operator through the workflow API; returns the names registered."""
    bodies = []
    for entry in entries:
        definition = entry.definition
        start = function_arn(local_function_name(definition.Name, "start"))
        monitor = (
            function_arn(local_function_name(definition.Name, "monitor"))
            if definition.MonitorHandler
            else None
        )
        bodies.append(definition.operation_request(start, monitor))
    # The same upsert the deploy-time registration uses, so both runtimes register alike.
    return LibraryRegistrar(client).register(DefinitionKind.OPERATION, bodies)
