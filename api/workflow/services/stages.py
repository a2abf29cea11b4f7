"""Stages: sets of existing operations that run in parallel; updates reach every workflow using them."""

from __future__ import annotations

from typing import Any

from api.common.messages import quoted
from api.workflow import presenters
from api.workflow.errors import BadRequestError, ConflictError, ResourceNotFoundError
from api.workflow.models import Stage
from api.workflow.services.common import changed_meanwhile, check_version, new_record, stored_definition
from api.workflow.services.deployer import WorkflowDeployer
from api.workflow.services.operations import refuse_singleton
from api.workflow.table import DefinitionsTable, Kind, Record, Step


class StageService:
    def __init__(self, table: DefinitionsTable, deployer: WorkflowDeployer) -> None:
        self._table = table
        self._deployer = deployer

    def _record(self, name: str) -> Record:
        record = self._table.get(Kind.STAGE, name)
        if record is None:
            raise ResourceNotFoundError(f"stage {quoted(name)} not found")
        return record

    def _present(self, records: list[Record]) -> list[dict[str, Any]]:
        wanted = {operation for record in records for operation in record.definition["Operations"]}
        operations = self._table.get_many(Kind.OPERATION, wanted)
        return [presenters.stage(record, operations) for record in records]

    def get(self, name: str) -> dict[str, Any]:
        return self._present([self._record(name)])[0]

    def page(self, limit: int, after: str | None) -> tuple[list[dict[str, Any]], str | None]:
        records, next_after = self._table.page(Kind.STAGE, limit, after)
        return self._present(records), next_after

    def _check_operations(self, stage: Stage) -> None:
        found = self._table.get_many(Kind.OPERATION, stage.Operations)
        missing = [name for name in stage.Operations if name not in found]
        if missing:
            raise BadRequestError(
                f"stage {quoted(stage.Name)} uses operations that do not exist: {', '.join(missing)}"
            )

    def _reference(self, stage: str, operation: str, add: bool) -> Step:
        error = BadRequestError(f"operation {quoted(operation)} was deleted during this request")
        if add:
            return self._table.add_user(Kind.OPERATION, operation, stage, error)
        return self._table.remove_user(Kind.OPERATION, operation, stage, error)

    def create(self, stage: Stage) -> dict[str, Any]:
        refuse_singleton(stage.Name, "create")
        self._check_operations(stage)
        record = new_record(Kind.STAGE, stage.Name, stored_definition(stage))
        steps = [self._table.create(record, ConflictError(f"stage {quoted(stage.Name)} already exists"))]
        steps += [self._reference(stage.Name, operation, add=True) for operation in stage.Operations]
        self._table.transact(steps)
        return self.get(stage.Name)

    def update(self, stage: Stage) -> dict[str, Any]:
        refuse_singleton(stage.Name, "update")
        current = self._record(stage.Name)
        check_version(current, stage.Version)
        self._check_operations(stage)
        before = set(current.definition["Operations"])
        after = set(stage.Operations)
        steps = [
            self._table.update_definition(
                Kind.STAGE,
                stage.Name,
                stored_definition(stage),
                current.version,
                changed_meanwhile("stage", stage.Name),
            )
        ]
        steps += [self._reference(stage.Name, operation, add=True) for operation in sorted(after - before)]
        steps += [self._reference(stage.Name, operation, add=False) for operation in sorted(before - after)]
        self._table.transact(steps)
        updated = self._deployer.redeploy(current.used_by)
        body = self.get(stage.Name)
        body["UpdatedWorkflows"] = updated
        return body

    def delete(self, name: str) -> dict[str, Any]:
        refuse_singleton(name, "delete")
        record = self._record(name)
        if record.used_by:
            raise ConflictError(
                f"stage {quoted(name)} is used by workflows: {', '.join(sorted(record.used_by))}"
            )
        steps = [
            self._table.delete_unused(Kind.STAGE, name, record.version, changed_meanwhile("stage", name))
        ]
        steps += [
            self._reference(name, operation, add=False) for operation in record.definition["Operations"]
        ]
        self._table.transact(steps)
        return presenters.deleted(Kind.STAGE, name)
