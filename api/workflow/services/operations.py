"""Operations: create (with the singleton stage `_{name}`), update (propagated), delete if unused."""

from __future__ import annotations

from typing import Any

from api.common.messages import quoted
from api.workflow import presenters
from api.workflow.errors import BadRequestError, ConflictError, ResourceNotFoundError
from api.workflow.models import Operation, Stage, singleton_stage_name
from api.workflow.services.common import changed_meanwhile, check_version, new_record, stored_definition
from api.workflow.services.deployer import WorkflowDeployer
from api.workflow.services.functions import LambdaFunctions
from api.workflow.table import DefinitionsTable, Kind, Record


class OperationService:
    def __init__(
        self, table: DefinitionsTable, deployer: WorkflowDeployer, functions: LambdaFunctions
    ) -> None:
        self._table = table
        self._deployer = deployer
        self._functions = functions

    def _require_functions(self, operation: Operation) -> None:
        self._functions.require(
            {"StartLambdaArn": operation.StartLambdaArn, "MonitorLambdaArn": operation.MonitorLambdaArn}
        )

    def _record(self, name: str) -> Record:
        record = self._table.get(Kind.OPERATION, name)
        if record is None:
            raise ResourceNotFoundError(f"operation {quoted(name)} not found")
        return record

    def get(self, name: str) -> dict[str, Any]:
        return presenters.operation(self._record(name))

    def page(self, limit: int, after: str | None) -> tuple[list[dict[str, Any]], str | None]:
        records, next_after = self._table.page(Kind.OPERATION, limit, after)
        return [presenters.operation(record) for record in records], next_after

    def create(self, operation: Operation) -> dict[str, Any]:
        name = operation.Name
        self._require_functions(operation)
        stage_name = singleton_stage_name(name)
        record = new_record(Kind.OPERATION, name, stored_definition(operation))
        stage = new_record(
            Kind.STAGE, stage_name, stored_definition(Stage(Name=stage_name, Operations=[name]))
        )
        # One transaction: an operation never exists without its stage, nor the reverse.
        self._table.transact(
            [
                self._table.create(record, ConflictError(f"operation {quoted(name)} already exists")),
                self._table.create(stage, ConflictError(f"stage {quoted(stage_name)} already exists")),
            ]
        )
        return presenters.operation(record)

    def update(self, operation: Operation) -> dict[str, Any]:
        name = operation.Name
        current = self._record(name)
        check_version(current, operation.Version)
        self._require_functions(operation)
        definition = stored_definition(operation)
        self._table.transact(
            [
                self._table.update_definition(
                    Kind.OPERATION, name, definition, current.version, changed_meanwhile("operation", name)
                )
            ]
        )
        # Workflows run the operation through its singleton stage or through stages listing it.
        workflows = self._deployer.workflows_using_stages({singleton_stage_name(name), *current.used_by})
        updated = self._deployer.redeploy(workflows)
        body = presenters.operation(self._record(name))
        body["UpdatedWorkflows"] = updated
        return body

    def delete(self, name: str) -> dict[str, Any]:
        record = self._record(name)
        if record.used_by:
            raise ConflictError(
                f"operation {quoted(name)} is used by stages: {', '.join(sorted(record.used_by))}"
            )
        stage_name = singleton_stage_name(name)
        stage = self._table.get(Kind.STAGE, stage_name)
        if stage is not None and stage.used_by:
            raise ConflictError(
                f"operation {quoted(name)} runs in workflows through its stage {quoted(stage_name)}: "
                f"{', '.join(sorted(stage.used_by))}"
            )
        steps = [
            self._table.delete_unused(
                Kind.OPERATION, name, record.version, changed_meanwhile("operation", name)
            )
        ]
        if stage is not None:
            steps.append(
                self._table.delete_unused(
                    Kind.STAGE, stage_name, stage.version, changed_meanwhile("stage", stage_name)
                )
            )
        self._table.transact(steps)
        return presenters.deleted(Kind.OPERATION, name)


def refuse_singleton(stage: str, action: str) -> None:
    """An operation's own stage follows the operation; it is never edited on its own."""
    if stage.startswith("_"):
        raise BadRequestError(
            f"cannot {action} stage {quoted(stage)}: names beginning with _ are reserved for the singleton "
            "stages that operations own (change or delete the operation instead)"
        )
