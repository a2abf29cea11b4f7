"""Where the milliseconds of one workflow execution go on the local runtime.

Runs the `controlplane_latency` workflow (3 stages x 2 parallel sync operators) one execution at a
time and wraps the platform's seams with timers, all in the platform process:

- every request the moto server handles, by service and action (Step Functions, SQS, S3, ...), and
  every request the DynamoDB process handles (it times them itself, in its own process);
- every Lambda invocation, by function (time in the caller, worker process included);
- every request through the local API Gateway (SigV4 check and API Lambda included);
- every parse of a state machine definition by moto's ASL interpreter.

It prints, per execution: how many of each there are, and their summed milliseconds, next to the
end-to-end latency the client saw. Sums overlap (a Step Functions task's Lambda invoke happens
inside an HTTP request to moto), so the table is a breakdown by seam, not a partition.

    .venv/bin/python bench/execution_anatomy.py [--executions 20]
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_workflow as workflow
import boto3
from medialens_helper import HttpTransport
from medialens_helper.workflow_client import WorkflowClient
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

from medialens.deployment import LocalDeployment
from medialens.runtime.api_gateway import LocalApiGateway
from medialens.runtime.platform import LocalPlatform
from medialens.runtime.service_process import TALLY_ENV, DynamoDBProcess
from medialens.runtime.workers import WorkerPool
from medialens.state import StateDir


class Tally:
    """Thread-safe counts and summed seconds per label."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: collections.Counter[str] = collections.Counter()
        self.seconds: collections.Counter[str] = collections.Counter()

    def add(self, label: str, seconds: float) -> None:
        with self._lock:
            self.counts[label] += 1
            self.seconds[label] += seconds

    def add_many(self, label: str, count: int, seconds: float) -> None:
        with self._lock:
            self.counts[label] += count
            self.seconds[label] += seconds

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.seconds.clear()


TALLY = Tally()


def _moto_label(environ: dict[str, Any]) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    auth = environ.get("HTTP_AUTHORIZATION", "")
    service = "?"
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        service = scope[3] if len(scope) > 3 else "?"
    if target:
        return f"moto {service} {target.rsplit('.', 1)[-1]}"
    path = environ.get("PATH_INFO", "")
    if service == "lambda" and path.endswith("/invocations"):
        return "moto lambda Invoke"
    return f"moto {service} {environ.get('REQUEST_METHOD', '')} {path.split('/')[1] if '/' in path else ''}"


@contextmanager
def _wrapped(owner: type, attribute: str, make: Callable[[Any], Any]) -> Iterator[None]:
    original = owner.__dict__[attribute]  # the raw attribute: a staticmethod stays one
    setattr(owner, attribute, make(original))
    try:
        yield
    finally:
        setattr(owner, attribute, original)


def _time_wsgi(label_of: Callable[[dict[str, Any]], str]) -> Callable[[Any], Any]:
    """A wrapper factory for a WSGI app's `__call__`, tallied under `label_of(environ)`."""

    def wrap(original: Any) -> Any:
        def call(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
            label = label_of(environ)
            started = time.perf_counter()
            try:
                return original(self, environ, start_response)
            finally:
                TALLY.add(label, time.perf_counter() - started)

        return call

    return wrap


def _api_label(environ: dict[str, Any]) -> str:
    return f"api {environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO', '').split('/')[1:3]}"


def _time_invoke(original: Any) -> Any:
    def invoke(self: Any, function_name: str, payload: bytes) -> Any:
        started = time.perf_counter()
        try:
            return original(self, function_name, payload)
        finally:
            TALLY.add(f"lambda {function_name}", time.perf_counter() - started)

    return invoke


def _time_parse(original: Any) -> Any:
    def parse(definition: str) -> Any:
        started = time.perf_counter()
        try:
            return original(definition)
        finally:
            TALLY.add("moto ASL parse", time.perf_counter() - started)

    return staticmethod(parse)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--executions", type=int, default=20, help="executions run one at a time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="medialens-anatomy-") as root:
        state = StateDir(Path(root))
        platform = LocalPlatform(state, LocalDeployment(state), save_snapshot=False)
        with (
            _wrapped(DomainDispatcherApplication, "__call__", _time_wsgi(_moto_label)),
            _wrapped(WorkerPool, "invoke", _time_invoke),
            _wrapped(LocalApiGateway, "__call__", _time_wsgi(_api_label)),
            _wrapped(AmazonStateLanguageParser, "parse", lambda original: _time_parse(original.__func__)),
        ):
            os.environ[TALLY_ENV] = "1"  # the DynamoDB process times its requests too
            endpoints = platform.start(progress=lambda _: None)
            try:
                _measure(endpoints, state, args.executions, platform.dynamodb_process)
            finally:
                platform.stop()


def _measure(endpoints: Any, state: StateDir, executions: int, dynamodb: DynamoDBProcess | None) -> None:
    credentials = state.credentials()
    session = boto3.Session(
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        region_name=credentials.region,
    )
    client = WorkflowClient(HttpTransport(endpoints.workflow_api, session=session))
    media = workflow.define_workflow(client, session, endpoints)
    workflow.run_one(client, media)  # warm-up: imports in fresh workers
    time.sleep(1.0)
    TALLY.reset()
    dynamodb_cpu_started = dynamodb.tally()["cpu"] if dynamodb is not None else 0.0
    cpu_started = time.process_time()
    wall_started = time.perf_counter()
    latencies = [workflow.run_one(client, media) for _ in range(executions)]
    wall = time.perf_counter() - wall_started
    cpu = time.process_time() - cpu_started
    if dynamodb is not None:
        tally = dynamodb.tally()
        for action, (count, seconds) in tally["requests"].items():
            TALLY.add_many(f"dynamodb process {action}", int(count), seconds)
        dynamodb_cpu = tally["cpu"] - dynamodb_cpu_started
        print(f"DynamoDB process CPU per execution: {dynamodb_cpu / executions * 1000:.0f} ms")
    median = statistics.median(latencies) * 1000
    print(f"{executions} executions one at a time; median end-to-end {median:.0f} ms")
    print(
        f"platform process CPU per execution: {cpu / executions * 1000:.0f} ms "
        f"({cpu / wall * 100:.0f}% of one core while running)"
    )
    print()
    print(f"{'seam (per execution)':58} {'calls':>7} {'ms':>9} {'ms/call':>8}")
    for label, total in TALLY.seconds.most_common():
        calls = TALLY.counts[label] / executions
        print(
            f"{label[:58]:58} {calls:7.1f} {total / executions * 1000:9.1f} "
            f"{total / TALLY.counts[label] * 1000:8.1f}"
        )


if __name__ == "__main__":
    main()
