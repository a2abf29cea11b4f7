"""The operators under `operators/` as local Lambda functions, and the requests that register them.

Each operator's handlers become functions named `medialens-op-{Name}-{start|monitor}`; once the
platform serves its API, every operator is registered with the ARNs of those functions, exactly
as a user would with `POST /workflow/operation` (see `medialens.library_registration`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

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
            warm_at_start=False,  # a workflow's operators start at its first execution, as on Lambda
        )
        for entry in entries
        for role, handler in entry.definition.handlers().items()
    ]


def operator_requests(
    entries: Sequence[CatalogEntry], function_arn: Callable[[str], str]
) -> list[dict[str, Any]]:
    """The `POST /workflow/operation` body of each operator, naming its local functions."""
    bodies = []
    for entry in entries:
        definition = entry.definition
        start = (
            function_arn(local_function_name(definition.Name, "start")) if definition.StartHandler else None
        )
        monitor = (
            function_arn(local_function_name(definition.Name, "monitor"))
            if definition.MonitorHandler
            else None
        )
        bodies.append(definition.operation_request(start, monitor))
    return bodies
