"""A moto server running generated machines for real, with the step Lambdas and test operators in
the runtime's worker pool behind the Lambda bridge; one set per test module."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from moto.server import ThreadedMotoServer

from api.workflow.executions import (
    ConcurrencySlots,
    ExecutionLifecycle,
    ExecutionStore,
    SchedulerNudge,
    table_definition,
)
from api.workflow.executions.lifecycle import StartOutcome
from api.workflow.generator import StepFunctionArns, WorkflowGenerator
from api.workflow.models import Operation, Stage, Workflow
from medialens.runtime import moto_tuning
from medialens.runtime.functions import FunctionSpec
from medialens.runtime.lambda_bridge import LambdaBridge, ensure_role, register_functions
from medialens.runtime.sessions import LocalSession
from medialens.runtime.workers import WorkerPool
from medialens.state import LocalCredentials

REPO_ROOT = Path(__file__).resolve().parents[3]
CODE_PATHS = [REPO_ROOT, REPO_ROOT / "lib" / "helper"]
CREDENTIALS = LocalCredentials("MLLOCALTESTKEY01", "test-secret-key-0123456789", "us-east-1")
EXECUTION_TABLE = "medialens-test-executions"
OPERATORS = "tests.local.controlplane.handlers"
STEPS = "api.workflow.steps.handlers"
STEP_NAMES = (
    "operator_filter",
    "operator_failed",
    "complete_stage",
    "complete_workflow",
    "fail_workflow",
    "prepare_media",
)
OPERATOR_HANDLERS = (
    "ok",
    "echo_event",
    "mie_style",
    "returns_error",
    "raises",
    "mas_error",
    "async_start",
    "async_monitor",
    "async_fail_monitor",
    "async_hang_monitor",
    "crashes",
    "overruns",
)
# Function timeouts other than the default, in seconds.
OPERATOR_TIMEOUTS = {"overruns": 1.0}
# Fast waits: 1 s per poll (moto's Wait really sleeps).
FAST_SETTINGS = {"WaitBaseSeconds": 1, "WaitMaxSeconds": 1}


def specs() -> list[FunctionSpec]:
    env = {"WORKFLOW_EXECUTION_TABLE": EXECUTION_TABLE}
    steps = [FunctionSpec(f"step-{name}", f"{STEPS}.{name}", env) for name in STEP_NAMES]
    operators = [
        FunctionSpec(f"op-{name}", f"{OPERATORS}.{name}", timeout_seconds=OPERATOR_TIMEOUTS.get(name, 30.0))
        for name in OPERATOR_HANDLERS
    ]
    return steps + operators


@dataclass
class ControlPlane:
    session: LocalSession
    arns: dict[str, str]
    role_arn: str

    @property
    def sfn(self) -> Any:
        return self.session.client("stepfunctions")

    @property
    def store(self) -> ExecutionStore:
        return ExecutionStore(self.session.client("dynamodb"), EXECUTION_TABLE)

    @property
    def slots(self) -> ConcurrencySlots:
        return ConcurrencySlots(self.session.client("dynamodb"), EXECUTION_TABLE)

    @property
    def lifecycle(self) -> ExecutionLifecycle:
        return ExecutionLifecycle(self.store, self.slots, SchedulerNudge(None, None))

    def step_arns(self) -> StepFunctionArns:
        return StepFunctionArns(*(self.arns[f"step-{name}"] for name in STEP_NAMES))

    def operation(self, name: str, handler: str, *, monitor: str | None = None, **config: Any) -> Operation:
        body: dict[str, Any] = {
            "Name": name,
            "Type": "Async" if monitor else "Sync",
            "Configuration": {"MediaType": "Video", "Enabled": True, **config},
            "StartLambdaArn": self.arns[f"op-{handler}"],
        }
        if monitor:
            body["MonitorLambdaArn"] = self.arns[f"op-{monitor}"]
        return Operation.model_validate(body)

    def deploy(self, stages: list[tuple[str, list[Operation]]], *, timeout: int | None = None) -> str:
        """A workflow of `stages` in order, compiled by the generator and created in moto."""
        name = f"wf-{uuid.uuid4().hex[:8]}"
        steps: dict[str, Any] = {}
        for index, (stage, _) in enumerate(stages):
            last = index == len(stages) - 1
            steps[stage] = {"End": True} if last else {"Next": stages[index + 1][0]}
        workflow = Workflow.model_validate(
            {"Name": name, "StartAt": stages[0][0], "Stages": steps, "TimeoutSeconds": timeout}
        )
        stage_models = {stage: Stage(Name=stage, Operations=[op.Name for op in ops]) for stage, ops in stages}
        operations = {op.Name: op for _, ops in stages for op in ops}
        definition = WorkflowGenerator(self.step_arns()).compile(workflow, stage_models, operations)
        made = self.sfn.create_state_machine(name=name, definition=definition, roleArn=self.role_arn)
        return str(made["stateMachineArn"])

    def run(
        self,
        machine_arn: str,
        stages: list[tuple[str, list[Operation]]],
        *,
        media: dict[str, Any] | None = None,
        overrides: dict[str, dict[str, dict[str, Any]]] | None = None,
        timeout: float = 60.0,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Record the execution as the scheduler would (Started, one slot), run it, wait for the end."""
        execution_id = str(uuid.uuid4())
        extra = overrides or {}
        configuration = {
            stage: {
                op.Name: {**op.Configuration.model_dump(mode="json"), **extra.get(stage, {}).get(op.Name, {})}
                for op in ops
            }
            for stage, ops in stages
        }
        default_media = {"Video": {"S3Bucket": "in", "S3Key": "video.mp4"}}
        workflow_input = {"Media": media or default_media, "MetaData": {}}
        self.store.create(
            execution_id=execution_id,
            workflow="test",
            asset_id="asset-1",
            state_machine_arn=machine_arn,
            input=workflow_input,
            configuration=configuration,
            stages=[{"Name": stage, "Operations": [op.Name for op in ops]} for stage, ops in stages],
        )
        assert self.lifecycle.start(execution_id, 1000) is StartOutcome.STARTED
        started = self.sfn.start_execution(
            stateMachineArn=machine_arn,
            name=execution_id,
            input=json.dumps(
                {
                    "ExecutionId": execution_id,
                    "AssetId": "asset-1",
                    "Workflow": "test",
                    "Input": workflow_input,
                    "Configuration": configuration,
                    "Settings": FAST_SETTINGS,
                }
            ),
        )
        described = wait_for_end(self.sfn, started["executionArn"], timeout)
        record = self.store.get(execution_id)
        assert record is not None
        record["Operators"] = self.store.operator_outcomes(record)
        return described, record


def wait_for_end(sfn: Any, arn: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return dict(described)
        time.sleep(0.1)
    raise AssertionError(f"{arn} still running after {timeout} s")


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    moto_tuning.install()  # as the local platform runs it
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server.get_host_and_port()[1]
    saved = os.environ.get("MOTO_PORT")
    os.environ["MOTO_PORT"] = str(port)
    url = f"http://127.0.0.1:{port}"
    config = {"stepfunctions": {"execute_state_machine": True}}
    requests.post(f"{url}/moto-api/config", json=config, timeout=10).raise_for_status()
    yield url
    requests.post(f"{url}/moto-api/reset", timeout=10)
    server.stop()
    moto_tuning.uninstall()
    if saved is None:
        os.environ.pop("MOTO_PORT", None)
    else:
        os.environ["MOTO_PORT"] = saved


@pytest.fixture(scope="module")
def control_plane(moto_url: str) -> Iterator[ControlPlane]:
    base_env = {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": CREDENTIALS.access_key_id,
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS.secret_access_key,
        "AWS_REGION": CREDENTIALS.region,
        "AWS_DEFAULT_REGION": CREDENTIALS.region,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    session = LocalSession(CREDENTIALS, moto_url)
    session.client("dynamodb").create_table(TableName=EXECUTION_TABLE, **table_definition())
    with WorkerPool(specs(), code_paths=CODE_PATHS, base_env=base_env) as pool, LambdaBridge(pool):
        role = ensure_role(session.client("iam"))
        arns = register_functions(session.client("lambda"), specs(), role)
        yield ControlPlane(session, arns, role)
