"""Workflows: chains of existing stages, each deployed as its own state machine.

Order of a write: validate and compile (pure, so a bad workflow fails before anything changes),
commit the record and its stage references in one transaction, then deploy the machine. A
create whose deploy fails is rolled back; an update whose deploy fails keeps the new record and
answers 502, and repeating the PUT converges (deploy is create-or-update).
"""

from __future__ import annotations

from typing import Any

from api.common.messages import quoted
from api.workflow import presenters
from api.workflow.errors import BadRequestError, ConflictError, ResourceNotFoundError, StateMachineError
from api.workflow.models import Operation, Workflow
from api.workflow.services.common import changed_meanwhile, check_version, new_record, stored_definition
from api.workflow.services.deployer import WorkflowDeployer
from api.workflow.table import DefinitionsTable, Kind, Record, Step


class WorkflowService:
    def __init__(self, table: DefinitionsTable, deployer: WorkflowDeployer) -> None:
        self._table = table
        self._deployer = deployer

    def _record(self, name: str) -> Record:
        record = self._table.get(Kind.WORKFLOW, name)
        if record is None:
            raise ResourceNotFoundError(f"workflow {quoted(name)} not found")
        return record

    def get(self, name: str) -> dict[str, Any]:
        return self._present([self._record(name)])[0]

    def page(self, limit: int, after: str | None) -> tuple[list[dict[str, Any]], str | None]:
        records, next_after = self._table.page(Kind.WORKFLOW, limit, after)
        return self._present(records), next_after

    def _present(self, records: list[Record]) -> list[dict[str, Any]]:
        """Workflows with their stages filled in: two batch reads for the whole page."""
        stages = self._table.get_many(
            Kind.STAGE, {stage for record in records for stage in record.definition["Stages"]}
        )
        wanted = {operation for stage in stages.values() for operation in stage.definition["Operations"]}
        operations = self._table.get_many(Kind.OPERATION, wanted)
        return [presenters.workflow(record, stages, operations) for record in records]

    def deployed(self, name: str) -> tuple[str | None, Workflow]:
        """The workflow's state machine ARN (None before its first deploy) and its definition: one read."""
        record = self._record(name)
        return record.state_machine_arn, Workflow.model_validate(record.definition)

    def configuration(self, name: str) -> dict[str, dict[str, dict[str, Any]]]:
        """The default configuration of every operation, by stage in run order: {stage: {op: config}}."""
        return self.configuration_of(Workflow.model_validate(self._record(name).definition))

    def configuration_of(self, workflow: Workflow) -> dict[str, dict[str, dict[str, Any]]]:
        """`configuration` of a workflow definition already read."""
        stages, operations = self._deployer.inputs(workflow)
        return {
            stage: {op: _configuration(operations[op]) for op in stages[stage].Operations}
            for stage in workflow.ordered_stages()
        }

    def _reference(self, workflow: str, stage: str, add: bool) -> Step:
        error = BadRequestError(f"stage {quoted(stage)} was deleted during this request")
        if add:
            return self._table.add_user(Kind.STAGE, stage, workflow, error)
        return self._table.remove_user(Kind.STAGE, stage, workflow, error)

    def create(self, workflow: Workflow) -> dict[str, Any]:
        name = workflow.Name
        if self._table.get(Kind.WORKFLOW, name) is not None:
            raise ConflictError(f"workflow {quoted(name)} already exists")
        definition = self._deployer.compile(workflow)
        record = new_record(Kind.WORKFLOW, name, stored_definition(workflow))
        steps = [self._table.create(record, ConflictError(f"workflow {quoted(name)} already exists"))]
        steps += [self._reference(name, stage, add=True) for stage in sorted(workflow.Stages)]
        self._table.transact(steps)
        try:
            self._deployer.deploy(name, definition, None)
        except StateMachineError:
            self._remove(record)  # no workflow without a machine
            raise
        return self.get(name)

    def update(self, workflow: Workflow) -> dict[str, Any]:
        name = workflow.Name
        current = self._record(name)
        check_version(current, workflow.Version)
        definition = self._deployer.compile(workflow)
        before = set(current.definition["Stages"])
        after = set(workflow.Stages)
        steps = [
            self._table.update_definition(
                Kind.WORKFLOW,
                name,
                stored_definition(workflow),
                current.version,
                changed_meanwhile("workflow", name),
            )
        ]
        steps += [self._reference(name, stage, add=True) for stage in sorted(after - before)]
        steps += [self._reference(name, stage, add=False) for stage in sorted(before - after)]
        self._table.transact(steps)
        self._deployer.deploy(name, definition, current.state_machine_arn)
        return self.get(name)

    def delete(self, name: str) -> dict[str, Any]:
        record = self._record(name)
        self._remove(record)
        # After the record: a machine without a record is only clutter, the reverse is a broken workflow.
        self._deployer.machines.delete(name, record.state_machine_arn)
        return presenters.deleted(Kind.WORKFLOW, name)

    def _remove(self, record: Record) -> None:
        steps = [
            self._table.delete_unused(
                Kind.WORKFLOW, record.name, record.version, changed_meanwhile("workflow", record.name)
            )
        ]
        steps += [
            self._reference(record.name, stage, add=False) for stage in sorted(record.definition["Stages"])
        ]
        self._table.transact(steps)


def _configuration(operation: Operation) -> dict[str, Any]:
    return operation.Configuration.model_dump(mode="json")
