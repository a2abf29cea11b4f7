"""The whole platform on one machine: moto executing the real state machines, our handlers as Lambdas.

`LocalPlatform.start()` brings up, in order: the moto server (Step Functions execution on), the
Lambda bridge and EventBridge dispatcher, the warm worker pool, the SDK layer, the deployment's
resources, the saved snapshot and the journal after it (from then on every confirmed write is
journaled), the user functions, the recovery of interrupted executions, the event-source pollers and
the local API. `stop()` first makes the API answer 503 and waits for the requests in flight, stops
the pollers and workers, then saves the snapshot and user functions and takes the rest down.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import requests
from werkzeug.serving import BaseWSGIServer

from medialens.durability.durable_state import DurableState
from medialens.inspect.server import InspectServer
from medialens.runtime import function_store, moto_fixes, moto_tuning
from medialens.runtime.api_gateway import LocalApiGateway
from medialens.runtime.deployment_protocol import DATAPLANE_API_BASE, WORKFLOW_API_BASE, Deployment
from medialens.runtime.engine_processes import EngineState, EngineSupervisor
from medialens.runtime.event_sources import PollingThread, build_pollers
from medialens.runtime.eventbridge import EventBridgeDispatcher
from medialens.runtime.execution_retention import prune_executions
from medialens.runtime.function_logs import FunctionLogs
from medialens.runtime.lambda_bridge import LambdaBridge, ensure_role, register_functions
from medialens.runtime.lambda_guard import LambdaGuard
from medialens.runtime.log_routing import route_logs, unroute_logs
from medialens.runtime.moto_server import MotoServer
from medialens.runtime.periodic import PeriodicTask
from medialens.runtime.pooled_server import make_pooled_server
from medialens.runtime.sdk_layer import SDK_LAYER_NAME, publish_sdk_layer
from medialens.runtime.service_process import DYNAMODB_TARGET_PREFIX, DynamoDBProcess
from medialens.runtime.sessions import LocalSession
from medialens.runtime.user_functions import UserFunctions
from medialens.runtime.workers import InvokeResult, WorkerPool
from medialens.state import Endpoints, LocalCredentials, StateDir

LOG = logging.getLogger(__name__)
_REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CODE_PATHS = (_REPO_ROOT, _REPO_ROOT / "lib" / "helper")
RETENTION_SECONDS = 30.0  # how often moto's old ended executions are dropped from memory
# How long a stop waits for API requests in flight (API Gateway's own limit is 29 s).
DRAIN_SECONDS = 30.0
ENGINE_READY_WAIT_SECONDS = 60.0  # `up` reports each engine by then; operators poll Ready themselves


class LocalPlatform:
    def __init__(
        self,
        state: StateDir,
        deployment: Deployment,
        *,
        host: str = "127.0.0.1",
        code_paths: Sequence[Path] = DEFAULT_CODE_PATHS,
        save_snapshot: bool = True,
        journal: bool = True,
        serve_inspection: bool = False,
    ) -> None:
        self.state = state
        self.deployment = deployment
        self.host = host
        self.code_paths = list(code_paths)
        self.save_snapshot = save_snapshot
        self.journal = journal
        self._durable: DurableState | None = None
        self._gateway: LocalApiGateway | None = None
        self.serve_inspection = serve_inspection
        self._inspect: InspectServer | None = None
        self.endpoints: Endpoints | None = None
        self.session: LocalSession | None = None
        self.pool: WorkerPool | None = None
        self._moto: MotoServer | None = None
        self._dynamodb: DynamoDBProcess | None = None
        self._moto_url = ""
        self._saved_moto_port: str | None = None
        self._bridge: LambdaBridge | None = None
        self._guard: LambdaGuard | None = None
        self._user_functions: UserFunctions | None = None
        self._platform_functions: frozenset[str] = frozenset()
        self.sdk_layer_arn = ""
        self._dispatcher: EventBridgeDispatcher | None = None
        self._pollers: list[PollingThread] = []
        self._api: BaseWSGIServer | None = None
        self._api_serving = False
        self._log_handler: logging.Handler | None = None
        self._engines: EngineSupervisor | None = None

    def start(self, progress: Callable[[str], None] = print) -> Endpoints:
        started = time.monotonic()
        try:
            return self._start(progress, started)
        except BaseException:
            self.stop(progress=lambda _: None, save=False)
            raise

    def _start(self, progress: Callable[[str], None], started: float) -> Endpoints:
        self.state.ensure()
        credentials = self.state.credentials()
        self._log_handler = route_logs(self.state.log_file)
        # Engines first: their models load while the rest of the platform starts.
        self._engines = EngineSupervisor(getattr(self.deployment, "engine_commands", list)())
        self._engines.start()

        # DynamoDB's own process first: it imports moto while this one starts the rest.
        self._dynamodb = DynamoDBProcess(self.host, self.state.log_file)
        self._dynamodb.launch()
        moto_tuning.install()
        moto_fixes.install()
        self._moto = MotoServer(self.host)
        self._moto.start()
        port = self._moto.port
        self._moto_url = f"http://{self.host}:{port}"
        # moto's Step Functions interpreter calls Lambda at localhost:$MOTO_PORT.
        self._saved_moto_port = os.environ.get("MOTO_PORT")
        os.environ["MOTO_PORT"] = str(port)
        # Leave lambda.use_docker at its default (True): False swaps in moto's "simple" Lambda
        # backend, whose invoke never reaches LambdaFunction.invoke, where the bridge hooks in.
        # Docker is never tried all the same: the bridge runs every function, user ones included,
        # and the Lambda guard replaces moto's Docker runner with an error result.
        config = {"stepfunctions": {"execute_state_machine": True}}
        requests.post(f"{self._moto_url}/moto-api/config", json=config, timeout=10).raise_for_status()
        dynamodb_url = self._dynamodb.wait_ready()
        self._moto.router.route(DYNAMODB_TARGET_PREFIX, dynamodb_url)
        progress(f"moto server on {self._moto_url}, DynamoDB in its own process on {dynamodb_url}")

        # Bind the API port now: the functions' environment needs its URL; serve it last.
        # Routes whose callers cannot sign (engines posting to their webhooks); optional in a deployment.
        open_bases = getattr(self.deployment, "open_api_bases", lambda: ())()
        self._gateway = LocalApiGateway(self.deployment.api_routes(), self._invoke, credentials, open_bases)
        self._api = make_pooled_server(self.host, 0, self._gateway, name="local-api")
        api_url = f"http://{self.host}:{self._api.server_port}"

        specs = self.deployment.functions(self._moto_url, api_url)
        base_env = {
            "AWS_ENDPOINT_URL": self._moto_url,
            "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_url,  # botocore's per-service endpoint
            "AWS_ACCESS_KEY_ID": credentials.access_key_id,
            "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
            "AWS_REGION": credentials.region,
            "AWS_DEFAULT_REGION": credentials.region,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        logs = FunctionLogs(credentials.region)
        self.pool = WorkerPool(specs, code_paths=self.code_paths, base_env=base_env, logs=logs)
        self._platform_functions = frozenset(spec.name for spec in specs)
        failures = self.pool.warm()
        for name, failure in failures.items():
            progress(f"function {name} failed to start: {failure.payload.decode('utf-8', 'replace')}")
        cold = sum(1 for spec in specs if not spec.warm_at_start)
        progress(f"{len(specs) - cold - len(failures)} functions warm, {cold} start at their first call")

        self._user_functions = UserFunctions(self.pool, self._lambda_dir / "unpacked", credentials.region)
        self._guard = LambdaGuard(on_delete=self._user_functions.forget)
        self._guard.install()
        # Nudges queued twice need one run (optional in a deployment).
        coalesced = frozenset(getattr(self.deployment, "coalesced_async_functions", tuple)())
        self._bridge = LambdaBridge(self.pool, user_functions=self._user_functions, coalesced=coalesced)
        self._bridge.install()
        self._dispatcher = EventBridgeDispatcher(self._invoke)
        self._dispatcher.install()

        self.session = LocalSession(credentials, self._moto_url, {"dynamodb": dynamodb_url})
        lambda_client, iam_client = self.session.client("lambda"), self.session.client("iam")
        register_functions(lambda_client, specs, ensure_role(iam_client))
        self.sdk_layer_arn = publish_sdk_layer(lambda_client)
        progress(f"SDK layer {self.sdk_layer_arn}")
        self.deployment.provision(self.session)
        self._durable = DurableState(
            self.state, self._moto.front, journaled=self.journal, dynamodb=self._dynamodb
        )
        counts = self._durable.recover(self.session)
        if any(counts.values()):
            progress(
                f"restored {counts['objects']} objects and {counts['items']} items, "
                f"then {counts['journaled']} journaled changes"
            )
        self._durable.start_journaling(self.session)
        kept = function_store.restore(lambda_client, iam_client, self._lambda_dir / "store")
        if any(kept.values()):
            progress(f"restored {kept['functions']} user functions and {kept['layers']} layer versions")

        recovered = self.deployment.recover(self.session, self._moto_url, self._durable.replayed)
        if recovered:
            progress(recovered)

        self._pollers = [
            *build_pollers(self.deployment.event_sources(), self.session, self._invoke),
            *self.deployment.background_tasks(self.session, self._invoke),
            PeriodicTask("moto-execution-retention", RETENTION_SECONDS, prune_executions),
        ]
        for poller in self._pollers:
            poller.start()

        threading.Thread(target=self._api.serve_forever, name="local-api", daemon=True).start()
        self._api_serving = True
        progress(f"local API on {api_url}")
        self.endpoints = Endpoints(
            moto_url=self._moto_url,
            workflow_api=api_url + WORKFLOW_API_BASE,
            dataplane_api=api_url + DATAPLANE_API_BASE,
            dataplane_bucket=self.deployment.bucket_name,
            engines=self._engines.urls(),
        )
        self.deployment.on_ready(self.endpoints, progress)
        self._report_engines(progress)
        if self.serve_inspection:
            self.endpoints = self._start_inspection(self.endpoints, credentials, progress)
        self.state.write_endpoints(self.endpoints)
        # What start-up made lives as long as the platform: keep it out of every later full
        # collection, whose pauses otherwise grow with it.
        gc.collect()
        gc.freeze()
        progress(f"ready in {time.monotonic() - started:.1f} s")
        return self.endpoints

    @property
    def dynamodb_process(self) -> DynamoDBProcess | None:
        """The child process holding the DynamoDB tables while the platform runs."""
        return self._dynamodb

    def _report_engines(self, progress: Callable[[str], None]) -> None:
        """One line per hosted engine once it is ready (or why it is not); operators wait for the rest."""
        assert self._engines is not None
        for engine in self._engines.wait_settled(ENGINE_READY_WAIT_SECONDS):
            settled = engine.state is not EngineState.STARTING
            progress(f"engine {engine.describe()}" + ("" if settled else " (operators poll its Ready)"))

    @property
    def _lambda_dir(self) -> Path:
        return self.state.root / "lambda"

    def _save_user_functions(self, progress: Callable[[str], None]) -> None:
        try:
            counts = function_store.save(
                self.state.credentials().region,
                self._lambda_dir / "store",
                skip_functions=self._platform_functions,
                skip_layers={SDK_LAYER_NAME},
            )
            progress(f"saved {counts['functions']} user functions and {counts['layers']} layer versions")
        except Exception:
            LOG.exception("saving the user functions failed")
            progress("saving the user functions failed; the previous copy is kept")

    def _start_inspection(
        self, endpoints: Endpoints, credentials: LocalCredentials, progress: Callable[[str], None]
    ) -> Endpoints:
        self._inspect = InspectServer(
            self.state.search_index,
            {
                "INSPECT_WORKFLOW_API": endpoints.workflow_api,
                "INSPECT_DATAPLANE_API": endpoints.dataplane_api,
                "AWS_ACCESS_KEY_ID": credentials.access_key_id,
                "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
                "AWS_REGION": credentials.region,
            },
            host=self.host,
        )
        url = self._inspect.start()
        progress(f"Discover and asset pages on {url}/search/findings (127.0.0.1 only)")
        return dataclasses.replace(endpoints, inspect_url=url)

    def _invoke(self, function_name: str, payload: bytes) -> InvokeResult:
        if self.pool is None:
            raise RuntimeError("the platform is not running")
        if function_name not in self._platform_functions and self._user_functions is not None:
            return self._user_functions.invoke(function_name, payload)  # e.g. a user's rule target
        return self.pool.invoke(function_name, payload)

    def stop(self, progress: Callable[[str], None] = print, *, save: bool | None = None) -> None:
        """Stop taking requests, stop the work in progress, save the snapshot, stop the rest.

        Safe to call twice. While it runs the local API answers 503 with `Retry-After`.
        """
        if save is None:
            save = self.save_snapshot
        if self._gateway is not None and not self._gateway.drain(DRAIN_SECONDS):
            progress(f"requests still in flight after {DRAIN_SECONDS:.0f} s; stopping anyway")
        if self._inspect is not None:
            self._inspect.stop()
            self._inspect = None
        if self._engines is not None:
            self._engines.stop()
            self._engines = None
        for poller in self._pollers:
            poller.stop()
        self._pollers = []
        for patch in (self._dispatcher, self._bridge):
            if patch is not None:
                patch.uninstall()
        self._dispatcher = self._bridge = None
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        self._user_functions = None
        if save and self.session is not None and self._durable is not None:
            try:
                counts = self._durable.compact(self.session)
                progress(f"saved {counts['objects']} objects and {counts['items']} items")
            except Exception:
                LOG.exception("saving the snapshot failed")
                progress("saving the snapshot failed; the previous one and the journal are kept")
            self._save_user_functions(progress)
        if self._durable is not None:
            self._durable.close()
            self._durable = None
        if self._dynamodb is not None:
            self._dynamodb.stop()
            self._dynamodb = None
        if self._api is not None:
            if self._api_serving:  # shutdown() waits for serve_forever: forever, if it never ran
                self._api.shutdown()
            self._api.server_close()
            self._api = None
            self._api_serving = False
        self._gateway = None
        if self._moto is not None:
            # moto keeps its state per process: reset it so a later start begins empty.
            with contextlib.suppress(requests.RequestException):
                requests.post(f"{self._moto_url}/moto-api/reset", timeout=10)
            self._moto.stop()
            self._moto = None
            if self._saved_moto_port is None:
                os.environ.pop("MOTO_PORT", None)
            else:
                os.environ["MOTO_PORT"] = self._saved_moto_port
        if self._guard is not None:  # last: until moto is down, no function call may try Docker
            self._guard.uninstall()
            self._guard = None
        self.session = None
        if self.endpoints is not None:
            self.state.clear_endpoints()
            self.endpoints = None
        gc.unfreeze()
        if self._log_handler is not None:
            unroute_logs(self._log_handler)
            self._log_handler = None

    def __enter__(self) -> LocalPlatform:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
