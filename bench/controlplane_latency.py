"""Workflow latency and throughput on the local runtime, next to calling the same operators directly.

The workflow has 3 stages of 2 parallel sync operators each (both run the `TestSyncOk` handler).
In one run, on one machine, this prints:

- end-to-end latency of one execution at a time (submit → Complete seen by the client), median of N;
- executions per second with M submitted at once (MaxConcurrentWorkflows raised to M);
- the same 6 operator calls made directly: in this process, and as Lambda invokes through the
  local runtime (what each generated Task state costs without Step Functions around it).

    .venv/bin/python bench/controlplane_latency.py [--sequential 50] [--concurrent 20]
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from medialens_helper import HttpTransport
from medialens_helper.workflow_client import WorkflowClient

from medialens.deployment import LocalDeployment
from medialens.runtime.platform import LocalPlatform
from medialens.state import Endpoints, StateDir
from operators.catalog import load_catalog

HANDLER_OPERATOR = "TestSyncOk"
OPERATIONS = ("BenchLeft", "BenchRight")
STAGES = ("BenchStage1", "BenchStage2", "BenchStage3")
WORKFLOW = "BenchThreeStages"
WAIT_TIMEOUT = 300.0
POLL_SECONDS = 0.05


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sequential", type=int, default=50, help="executions run one at a time")
    parser.add_argument("--concurrent", type=int, default=20, help="executions submitted at once")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="medialens-bench-") as root:
        state = StateDir(Path(root))
        platform = LocalPlatform(state, LocalDeployment(state), save_snapshot=False)
        started = time.perf_counter()
        endpoints = platform.start(progress=lambda _: None)
        print(f"local platform ready in {time.perf_counter() - started:.1f} s")
        try:
            run(endpoints, state, args.sequential, args.concurrent)
        finally:
            platform.stop()


def run(endpoints: Endpoints, state: StateDir, sequential: int, concurrent: int) -> None:
    credentials = state.credentials()
    session = boto3.Session(
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        region_name=credentials.region,
    )
    client = WorkflowClient(HttpTransport(endpoints.workflow_api, session=session))
    media = _define_workflow(client, session, endpoints)

    # Warm-up: the first execution pays for imports in fresh workers.
    _run_one(client, media)

    latencies = [_run_one(client, media) for _ in range(sequential)]

    client.set_max_concurrent_workflows(concurrent)
    # The first burst also starts the extra warm workers concurrency needs (Lambda's cold starts);
    # the second one runs on them.
    cold_seconds, cold_failed = _burst(client, media, concurrent)
    burst_seconds, failed = _burst(client, media, concurrent)
    failed += cold_failed

    operator = _operator_event(media)
    direct_in_process = _time_calls(_in_process_handler(), operator, repeat=sequential)
    lambda_arn = client.call("GET", f"/workflow/operation/{OPERATIONS[0]}")["StartLambdaArn"]
    lambda_client = session.client("lambda", endpoint_url=endpoints.moto_url)
    direct_lambda = _time_calls(_lambda_invoker(lambda_client, lambda_arn), operator, repeat=sequential)

    median = statistics.median(latencies)
    six = len(STAGES) * len(OPERATIONS)
    rows = [
        (f"end-to-end latency, one at a time (median of {sequential})", f"{median:.3f} s"),
        ("  p90", f"{_quantile(latencies, 0.9):.3f} s"),
        (f"throughput, {concurrent} submitted at once (warm)", f"{concurrent / burst_seconds:.2f} ex/s"),
        (f"  all {concurrent} finished after", f"{burst_seconds:.3f} s"),
        (f"throughput, first burst of {concurrent} (cold starts)", f"{concurrent / cold_seconds:.2f} ex/s"),
        ("throughput, one at a time", f"{1 / median:.2f} ex/s"),
        ("  not Complete", str(len(failed))),
        (f"{six} operator calls in this process (median)", f"{six * direct_in_process:.4f} s"),
        (f"{six} operator calls as local Lambda invokes (median)", f"{six * direct_lambda:.4f} s"),
        (f"workflow latency / {six} direct Lambda invokes", f"{median / (six * direct_lambda):.1f}x"),
        (f"workflow latency / {six} in-process calls", f"{median / (six * direct_in_process):.1f}x"),
    ]
    print()
    print(f"workflow: {len(STAGES)} stages x {len(OPERATIONS)} parallel sync operators ({HANDLER_OPERATOR})")
    for label, value in rows:
        print(f"{label:60} {value:>14}")
    if failed:
        raise SystemExit(f"{len(failed)} executions did not complete: {failed[:5]}")


def _define_workflow(client: WorkflowClient, session: boto3.Session, endpoints: Endpoints) -> dict[str, Any]:
    handler = client.call("GET", f"/workflow/operation/{HANDLER_OPERATOR}")
    for name in OPERATIONS:
        definition = {
            "Name": name,
            "Type": "Sync",
            "Configuration": {"MediaType": "Video", "Enabled": True},
            "StartLambdaArn": handler["StartLambdaArn"],
        }
        client.upsert("operation", definition)
    for stage in STAGES:
        client.upsert("stage", {"Name": stage, "Operations": list(OPERATIONS)})
    transitions: dict[str, dict[str, Any]] = {
        stage: {"Next": following} for stage, following in itertools.pairwise(STAGES)
    }
    transitions[STAGES[-1]] = {"End": True}
    client.upsert("", {"Name": WORKFLOW, "StartAt": STAGES[0], "Stages": transitions})
    key = f"upload/bench-{uuid.uuid4().hex}/clip.mp4"
    s3 = session.client("s3", endpoint_url=endpoints.moto_url)
    s3.put_object(Bucket=endpoints.dataplane_bucket, Key=key, Body=b"\x00" * 1024)
    return {"Video": {"S3Bucket": endpoints.dataplane_bucket, "S3Key": key}}


def _burst(client: WorkflowClient, media: dict[str, Any], count: int) -> tuple[float, list[str]]:
    """Seconds from submitting `count` executions at once until all are final; those not Complete."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=count) as pool:
        ids = list(pool.map(lambda _: client.start(WORKFLOW, media)["Id"], range(count)))
    # One client thread waits for all: `count` pollers would load the API more than the workflows do.
    finals = [client.wait(i, timeout=WAIT_TIMEOUT, poll_seconds=0.2) for i in ids]
    return time.perf_counter() - started, [r["Id"] for r in finals if r["Status"] != "Complete"]


def _run_one(client: WorkflowClient, media: dict[str, Any]) -> float:
    started = time.perf_counter()
    execution_id = client.start(WORKFLOW, media)["Id"]
    final = client.wait(execution_id, timeout=WAIT_TIMEOUT, poll_seconds=POLL_SECONDS)
    elapsed = time.perf_counter() - started
    if final["Status"] != "Complete":
        raise SystemExit(f"execution {execution_id} ended {final['Status']}: {final.get('Error')}")
    return elapsed


def _operator_event(media: dict[str, Any]) -> dict[str, Any]:
    return {
        "Name": OPERATIONS[0],
        "AssetId": str(uuid.uuid4()),
        "WorkflowExecutionId": str(uuid.uuid4()),
        "Input": {"Media": media, "MetaData": {}},
        "Configuration": {"MediaType": "Video", "Enabled": True},
        "Status": "Started",
        "MetaData": {},
        "Media": {},
    }


def _in_process_handler() -> Callable[[dict[str, Any]], Any]:
    entry = next(entry for entry in load_catalog() if entry.definition.Name == HANDLER_OPERATOR)
    module_name, function_name = entry.definition.StartHandler.rsplit(".", 1)
    handler = getattr(importlib.import_module(module_name), function_name)
    return lambda event: handler(event, None)


def _lambda_invoker(lambda_client: Any, arn: str) -> Callable[[dict[str, Any]], Any]:
    def invoke(event: dict[str, Any]) -> Any:
        response = lambda_client.invoke(FunctionName=arn, Payload=json.dumps(event).encode())
        if response.get("FunctionError"):
            raise SystemExit(f"direct invoke failed: {response['Payload'].read()!r}")
        return json.loads(response["Payload"].read())

    return invoke


def _time_calls(call: Callable[[dict[str, Any]], Any], event: dict[str, Any], *, repeat: int) -> float:
    call(event)  # warm-up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call(event)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


if __name__ == "__main__":
    main()
