"""Compiles workflows through the generator seam and deploys their state machines.

Also the propagation path: after an operation or stage changes, every workflow that uses it is
recompiled from the stored definitions and its machine updated.
"""

from __future__ import annotations

from collections.abc import Iterable

from api.common.messages import quoted
from api.workflow.compiler_protocol import WorkflowCompiler
from api.workflow.errors import BadRequestError, StateMachineError
from api.workflow.models import Operation, Stage, Workflow
from api.workflow.state_machines import StateMachines
from api.workflow.table import DefinitionsTable, Kind


class WorkflowDeployer:
    def __init__(self, table: DefinitionsTable, compiler: WorkflowCompiler, machines: StateMachines) -> None:
        self._table = table
        self._compiler = compiler
        self.machines = machines

    def inputs(self, workflow: Workflow) -> tuple[dict[str, Stage], dict[str, Operation]]:
        """Every stage and operation `workflow` uses; 400 naming any that do not exist."""
        stage_records = self._table.get_many(Kind.STAGE, workflow.Stages)
        missing = sorted(set(workflow.Stages) - set(stage_records))
        if missing:
            raise BadRequestError(
                f"workflow {quoted(workflow.Name)} uses stages that do not exist: {', '.join(missing)}"
            )
        stages = {name: Stage.model_validate(record.definition) for name, record in stage_records.items()}
        wanted = {operation for stage in stages.values() for operation in stage.Operations}
        operation_records = self._table.get_many(Kind.OPERATION, wanted)
        missing = sorted(wanted - set(operation_records))
        if missing:
            raise BadRequestError(
                f"workflow {quoted(workflow.Name)} uses operations that do not exist: {', '.join(missing)}"
            )
        operations = {name: Operation.model_validate(r.definition) for name, r in operation_records.items()}
        return stages, operations

    def compile(self, workflow: Workflow) -> str:
        stages, operations = self.inputs(workflow)
        try:
            return self._compiler.compile(workflow, stages, operations)
        except ValueError as exc:
            raise BadRequestError(f"workflow {quoted(workflow.Name)} cannot be compiled: {exc}") from exc

    def deploy(self, workflow: str, definition: str, known_arn: str | None) -> str:
        arn = self.machines.deploy(workflow, definition, known_arn)
        if arn != known_arn:
            self._table.set_state_machine_arn(workflow, arn)
        return arn

    def redeploy(self, workflows: Iterable[str]) -> list[str]:
        """Recompile and update each workflow's machine; returns the names updated, in order."""
        updated: list[str] = []
        failures: list[str] = []
        for name in sorted(set(workflows)):
            record = self._table.get(Kind.WORKFLOW, name)
            if record is None:  # deleted meanwhile: nothing to update
                continue
            try:
                workflow = Workflow.model_validate(record.definition)
                self.deploy(name, self.compile(workflow), record.state_machine_arn)
                updated.append(name)
            except (BadRequestError, StateMachineError) as exc:
                # Keep going: one broken workflow must not leave the others on the old definition.
                failures.append(f"{name} ({exc.message})")
        if failures:
            raise StateMachineError(
                "the definition was saved, but the state machines of these workflows were not updated "
                f"(repeat the request to retry): {'; '.join(failures)}"
            )
        return updated

    def workflows_using_stages(self, stages: Iterable[str]) -> set[str]:
        return {
            workflow
            for record in self._table.get_many(Kind.STAGE, stages).values()
            for workflow in record.used_by
        }
