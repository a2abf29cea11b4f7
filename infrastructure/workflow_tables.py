"""The control plane's tables: definitions (operations, stages, workflows, settings) and executions."""

from __future__ import annotations

from constructs import Construct

from api.workflow.executions.schema import table_definition as execution_table_definition
from api.workflow.table import table_definition as definitions_table_definition
from infrastructure.tables import table_from_definition


class WorkflowTables(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.definitions = table_from_definition(self, "Definitions", definitions_table_definition())
        self.executions = table_from_definition(self, "Executions", execution_table_definition())
