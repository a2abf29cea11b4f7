"""The seam between the workflow API and the state machine generator.

The API stores definitions and deploys machines; turning a workflow into Amazon States Language is
the generator's job (`api.workflow.generator.WorkflowGenerator`, written separately). Anything
with this one method can stand in for it, which is how the API is tested without the generator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

from api.workflow.models import Operation, Stage, Workflow


@runtime_checkable
class WorkflowCompiler(Protocol):
    def compile(
        self, workflow: Workflow, stages: Mapping[str, Stage], operations: Mapping[str, Operation]
    ) -> str:
        """The ASL JSON of `workflow`; `stages` and `operations` hold every definition it uses.

        Raise ValueError for a workflow that cannot be compiled: the API answers 400 with its message.
        """
        ...


class LazyCompiler:
    """Builds the real compiler on first use, so routes that never compile never need it."""

    def __init__(self, factory: Callable[[], WorkflowCompiler]) -> None:
        self._factory = factory
        self._compiler: WorkflowCompiler | None = None

    def compile(
        self, workflow: Workflow, stages: Mapping[str, Stage], operations: Mapping[str, Operation]
    ) -> str:
        if self._compiler is None:
            self._compiler = self._factory()
        return self._compiler.compile(workflow, stages, operations)
