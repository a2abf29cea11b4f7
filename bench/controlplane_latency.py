"""Workflow latency and throughput on the local runtime, next to calling the same operators directly.

The workflow has 3 stages of 2 parallel sync operators each (both run the `TestSyncOk` handler).
In one run, on one machine, this prints:

- end-to-end latency of one execution at a time (submit -> Complete seen by the client), median of
  N, on the platform as it runs (moto tuned: `medialens.runtime.moto_tuning`) and with moto's own
  stock interpreter paths (the tuning uninstalled in the same process);
- for each burst size M: how long until all M submissions were answered, and executions per
  second until all M were final (MaxConcurrentWorkflows = `--cap`);
- the platform process's resident memory before and after the bursts, and how many ended
  executions moto still holds;
- the same 6 operator calls made directly: in this process, and as Lambda invokes through the
  local runtime (what each generated Task state costs without Step Functions around it).

    .venv/bin/python bench/controlplane_latency.py [--sequential 50] [--stock 10] [--bursts 20,100,500]
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
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from medialens.deployment import LocalDeployment
from medialens.runtime import moto_tuning
from medialens.runtime.platform import LocalPlatform
from medialens.state import Endpoints, StateDir
from operators.catalog import load_catalog

HANDLER_OPERATOR = "TestSyncOk"
OPERATIONS = ("BenchLeft", "BenchRight")
STAGES = ("BenchStage1", "BenchStage2", "BenchStage3")
WORKFLOW = "BenchThreeStages"
WAIT_TIMEOUT = 600.0
POLL_SECONDS = 0.05
Row = tuple[str, str]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sequential", type=int, default=50, help="executions run one at a time")
    parser.add_argument("--stock", type=int, default=10, help="of those, on moto's stock paths")
    parser.add_argument("--bursts", default="20", help="comma-separated numbers submitted at once")
    parser.add_argument("--cap", type=int, default=20, help="MaxConcurrentWorkflows during bursts")
    args = parser.parse_args()
    bursts = [int(size) for size in args.bursts.split(",") if size.strip()]

    with tempfile.TemporaryDirectory(prefix="medialens-bench-") as root:
        state = StateDir(Path(root))
        platform = LocalPlatform(state, LocalDeployment(state), save_snapshot=False)
        started = time.perf_counter()
        endpoints = platform.start(progress=lambda _: None)
        print(f"local platform ready in {time.perf_counter() - started:.1f} s")
        try:
            run(endpoints, state, args.sequential, args.stock, bursts, args.cap)
        finally:
            platform.stop()


def run(
    endpoints: Endpoints, state: StateDir, sequential: int, stock: int, bursts: list[int], cap: int
) -> None:
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
    costs = _costs_per_operator(client, session, endpoints, media)

    rows: list[Row] = []
    stock_latencies: list[float] = []
    if stock:
        moto_tuning.uninstall()
        try:
            _run_one(client, media)  # the first stock run builds what the cache would have held
            stock_latencies = [_run_one(client, media) for _ in range(stock)]
        finally:
            moto_tuning.install()
    latencies = [_run_one(client, media) for _ in range(sequential)]
    median = statistics.median(latencies)
    rows += [
        (f"end-to-end latency, one at a time (median of {sequential})", f"{median * 1000:.0f} ms"),
        ("  p90", f"{_quantile(latencies, 0.9) * 1000:.0f} ms"),
        ("throughput, one at a time", f"{1 / median:.2f} ex/s"),
    ]
    if stock_latencies:
        stock_median = statistics.median(stock_latencies)
        rows += [
            (f"  same on moto's stock paths (median of {stock})", f"{stock_median * 1000:.0f} ms"),
            ("  stock / tuned", f"{stock_median / median:.1f}x"),
        ]

    client.set_max_concurrent_workflows(cap)
    rss_before = _rss_mib()
    failed: list[str] = []
    for size in bursts:
        accepted, finished, not_complete = _burst(client, media, size)
        failed += not_complete
        rows += [
            (f"{size} submitted at once (cap {cap}): all answered after", f"{accepted:.2f} s"),
            ("  all final after", f"{finished:.1f} s"),
            ("  throughput", f"{size / finished:.2f} ex/s"),
        ]
    rows += [
        ("platform process memory before / after the bursts", f"{rss_before:.0f} / {_rss_mib():.0f} MiB"),
        ("ended executions moto holds in memory", str(_moto_executions())),
        ("  not Complete", str(len(failed))),
    ]

    operator = _operator_event(media)
    direct_in_process = _time_calls(_in_process_handler(), operator, repeat=max(sequential, 10))
    lambda_arn = client.call("GET", f"/workflow/operation/{OPERATIONS[0]}")["StartLambdaArn"]
    lambda_client = session.client("lambda", endpoint_url=endpoints.moto_url)
    invoker = _lambda_invoker(lambda_client, lambda_arn)
    direct_lambda = _time_calls(invoker, operator, repeat=max(sequential, 10))
    six = len(STAGES) * len(OPERATIONS)
    rows += [
        (f"{six} operator calls in this process (median)", f"{six * direct_in_process * 1000:.1f} ms"),
        (f"{six} operator calls as local Lambda invokes (median)", f"{six * direct_lambda * 1000:.1f} ms"),
        (f"workflow latency / {six} direct Lambda invokes", f"{median / (six * direct_lambda):.1f}x"),
    ]
    rows += costs
    print()
    print(f"workflow: {len(STAGES)} stages x {len(OPERATIONS)} parallel sync operators ({HANDLER_OPERATOR})")
    for label, value in rows:
        print(f"{label:62} {value:>16}")
    if failed:
        raise SystemExit(f"{len(failed)} executions did not complete: {failed[:5]}")


# MIE's generated machines, from its workflow API's ASL templates: a Sync operator is Filter (a
# Lambda), Skip?, Execute (a Lambda), Did Complete?, Succeeded; each stage adds a Parallel state
# and a Complete Stage Lambda.
MIE_SYNC_OPERATOR = (5, 2)  # state transitions, Lambda invocations
MIE_STAGE = (2, 1)


def _costs_per_operator(
    client: WorkflowClient, session: boto3.Session, endpoints: Endpoints, media: dict[str, Any]
) -> list[Row]:
    """State transitions and Lambda invocations of one execution, read from its history."""
    execution_id = client.start(WORKFLOW, media)["Id"]
    client.wait(execution_id, timeout=WAIT_TIMEOUT, poll_seconds=POLL_SECONDS)
    machine = client.call("GET", f"/workflow/{WORKFLOW}")["StateMachineArn"]
    sfn = session.client("stepfunctions", endpoint_url=endpoints.moto_url)
    arn = machine.replace(":stateMachine:", ":execution:") + f":{execution_id}"
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    transitions = sum(1 for event in events if event["type"].endswith("StateEntered"))
    invocations = sum(1 for event in events if event["type"] == "LambdaFunctionScheduled")
    operators, stages = len(STAGES) * len(OPERATIONS), len(STAGES)
    mie_transitions = operators * MIE_SYNC_OPERATOR[0] + stages * MIE_STAGE[0]
    mie_invocations = operators * MIE_SYNC_OPERATOR[1] + stages * MIE_STAGE[1]
    return [
        ("state transitions per execution: Medialens / MIE", f"{transitions} / {mie_transitions}"),
        ("  per operator", f"{transitions / operators:.1f} / {mie_transitions / operators:.1f}"),
        ("Lambda invocations per execution: Medialens / MIE", f"{invocations} / {mie_invocations}"),
        ("  per operator", f"{invocations / operators:.1f} / {mie_invocations / operators:.1f}"),
    ]


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _moto_executions() -> int:
    return sum(
        len(machine.executions)
        for account in stepfunctions_parser_backends.values()
        for backend in account.values()
        for machine in backend.state_machines
    )


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


def _burst(client: WorkflowClient, media: dict[str, Any], count: int) -> tuple[float, float, list[str]]:
    """Seconds until all `count` submissions were answered, until all were final; those not Complete."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=min(count, 50)) as pool:
        ids = list(pool.map(lambda _: client.start(WORKFLOW, media)["Id"], range(count)))
    accepted = time.perf_counter() - started
    # One client thread waits for all: `count` pollers would load the API more than the workflows do.
    finals = [client.wait(i, timeout=WAIT_TIMEOUT, poll_seconds=0.2) for i in ids]
    return accepted, time.perf_counter() - started, [r["Id"] for r in finals if r["Status"] != "Complete"]


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
