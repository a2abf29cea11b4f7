"""Builds the services one invocation uses from the configuration and injected AWS clients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.workflow.compiler_protocol import WorkflowCompiler
from api.workflow.config import WorkflowApiConfig
from api.workflow.cursor import CursorCodec
from api.workflow.services.deployer import WorkflowDeployer
from api.workflow.services.functions import LambdaFunctions
from api.workflow.services.operations import OperationService
from api.workflow.services.stages import StageService
from api.workflow.services.system import SystemService
from api.workflow.services.workflows import WorkflowService
from api.workflow.state_machines import StateMachines
from api.workflow.table import DefinitionsTable


@dataclass(frozen=True)
class Services:
    cursors: CursorCodec
    operations: OperationService
    stages: StageService
    workflows: WorkflowService
    system: SystemService


def build_services(
    config: WorkflowApiConfig,
    *,
    dynamodb: Any,
    stepfunctions: Any,
    lambda_client: Any,
    compiler: WorkflowCompiler,
    cursor_signing_key: bytes,
) -> Services:
    table = DefinitionsTable(dynamodb, config.definitions_table)
    machines = StateMachines(stepfunctions, config.state_machine_role_arn, config.state_machine_prefix)
    deployer = WorkflowDeployer(table, compiler, machines)
    return Services(
        cursors=CursorCodec(cursor_signing_key),
        operations=OperationService(
            table, deployer, LambdaFunctions(lambda_client, config.operator_invoke_tag)
        ),
        stages=StageService(table, deployer),
        workflows=WorkflowService(table, deployer),
        system=SystemService(table),
    )
