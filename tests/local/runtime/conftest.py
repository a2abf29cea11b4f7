"""Shared fixtures: sample functions, a warm pool, and a moto server with the Lambda bridge on.

Fixtures are module-scoped: moto's state and the installed patches are per process, and each test
module gets its own clean set (all cheap: moto starts in ~0.1 s, the pool warms in ~0.3 s).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from moto.server import ThreadedMotoServer

from medialens.runtime.eventbridge import EventBridgeDispatcher
from medialens.runtime.functions import FunctionSpec
from medialens.runtime.lambda_bridge import LambdaBridge, ensure_role, register_functions
from medialens.runtime.sessions import LocalSession
from medialens.runtime.workers import WorkerPool
from medialens.state import LocalCredentials

REPO_ROOT = Path(__file__).resolve().parents[3]
CODE_PATHS = [REPO_ROOT, REPO_ROOT / "lib" / "helper"]
HANDLERS = "tests.local.runtime.handlers.sample"
CREDENTIALS = LocalCredentials("MLLOCALTESTKEY01", "test-secret-key-0123456789", "us-east-1")


def sample_specs(record_dir: Path) -> list[FunctionSpec]:
    env = {"RECORD_DIR": str(record_dir)}
    return [
        FunctionSpec("echo", f"{HANDLERS}.echo", {"GREETING": "hello from echo"}),
        FunctionSpec("count", f"{HANDLERS}.count", {}),
        FunctionSpec("fail", f"{HANDLERS}.fail", {}),
        FunctionSpec("sleep", f"{HANDLERS}.sleep", {}, timeout_seconds=1.0),
        FunctionSpec("crash", f"{HANDLERS}.crash", {}),
        FunctionSpec("unserialisable", f"{HANDLERS}.unserialisable", {}),
        FunctionSpec("missing", "tests.local.runtime.handlers.no_such_module.handler", {}),
        FunctionSpec("flaky", f"{HANDLERS}.flaky", env),
        FunctionSpec("record", f"{HANDLERS}.record", env),
        FunctionSpec("api", f"{HANDLERS}.api", {}),
    ]


@pytest.fixture(scope="module")
def record_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("records")


@pytest.fixture(scope="module")
def pool(record_dir: Path) -> Iterator[WorkerPool]:
    base_env = {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_REGION": "us-east-1"}
    with WorkerPool(sample_specs(record_dir), code_paths=CODE_PATHS, base_env=base_env) as workers:
        yield workers


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server.get_host_and_port()[1]
    saved = os.environ.get("MOTO_PORT")
    os.environ["MOTO_PORT"] = str(port)  # where moto's Step Functions interpreter calls Lambda
    url = f"http://127.0.0.1:{port}"
    # Leave lambda.use_docker at its default (True): False swaps in moto's "simple" Lambda backend,
    # whose invoke never reaches LambdaFunction.invoke, which is where the bridge hooks in.
    config = {"stepfunctions": {"execute_state_machine": True}}
    requests.post(f"{url}/moto-api/config", json=config, timeout=10).raise_for_status()
    yield url
    requests.post(f"{url}/moto-api/reset", timeout=10)
    server.stop()
    if saved is None:
        os.environ.pop("MOTO_PORT", None)
    else:
        os.environ["MOTO_PORT"] = saved


@pytest.fixture(scope="module")
def session(moto_url: str) -> LocalSession:
    return LocalSession(CREDENTIALS, moto_url)


@pytest.fixture(scope="module")
def bridged(pool: WorkerPool, session: LocalSession, record_dir: Path) -> Iterator[dict[str, str]]:
    """The sample functions created in moto and routed to the pool; yields name -> ARN."""
    with LambdaBridge(pool), EventBridgeDispatcher(pool.invoke):
        role = ensure_role(session.client("iam"))
        yield register_functions(session.client("lambda"), sample_specs(record_dir), role)
