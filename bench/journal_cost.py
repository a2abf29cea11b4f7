"""What journaling every confirmed write costs on the local runtime, side by side with no journal.

In one run, the platform is started twice in this process, with the journal and without it (the
state before durability: data kept only by the snapshot of a clean stop). For each it prints:

- S3 PutObject calls per second (1 KiB objects, straight to the moto endpoint, 4 threads);
- dataplane `POST /metadata/{asset}` writes per second (through the local API, 4 threads);
- execution latency, submit → Complete seen by the client (one sync operator), median of N.

    .venv/bin/python bench/journal_cost.py [--writes 200] [--executions 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
from medialens_helper import HttpTransport
from medialens_helper.workflow_client import WorkflowClient

from medialens.deployment import LocalDeployment
from medialens.runtime.platform import LocalPlatform
from medialens.state import StateDir

THREADS = 4
OPERATOR = "TestSyncOk"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--writes", type=int, default=200, help="writes of each kind per mode")
    parser.add_argument("--executions", type=int, default=10, help="executions timed per mode")
    args = parser.parse_args()
    rows = {journal: measure(journal, args.writes, args.executions) for journal in (False, True)}
    print(f"{'':34} {'no journal':>12} {'journal':>12}")
    for label in rows[False]:
        print(f"{label:34} {rows[False][label]:12.1f} {rows[True][label]:12.1f}")


def measure(journal: bool, writes: int, executions: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="medialens-bench-") as root:
        state = StateDir(Path(root))
        platform = LocalPlatform(state, LocalDeployment(state), save_snapshot=False, journal=journal)
        endpoints = platform.start(progress=lambda _: None)
        try:
            credentials = state.credentials()
            session = boto3.Session(
                aws_access_key_id=credentials.access_key_id,
                aws_secret_access_key=credentials.secret_access_key,
                region_name=credentials.region,
            )
            s3 = session.client("s3", endpoint_url=endpoints.moto_url)
            workflow = WorkflowClient(HttpTransport(endpoints.workflow_api, session=session))
            dataplane = WorkflowClient(HttpTransport(endpoints.dataplane_api, session=session))
            bucket = endpoints.dataplane_bucket
            s3.put_object(Bucket=bucket, Key="upload/bench.mp4", Body=b"not really a video")
            source = {"S3Bucket": bucket, "S3Key": "upload/bench.mp4"}
            asset = str(dataplane.call("POST", "/create", {"Input": source})["AssetId"])

            def put(n: int) -> None:
                s3.put_object(Bucket=bucket, Key=f"bench/{n}", Body=b"x" * 1024)

            def store(n: int) -> None:
                body = {"OperatorName": f"Bench{n}", "WorkflowId": "bench", "Results": {"n": n}}
                dataplane.call("POST", f"/metadata/{asset}", body)

            name = f"bench{uuid.uuid4().hex[:8]}"
            workflow.upsert("stage", {"Name": f"{name}Stage", "Operations": [OPERATOR]})
            workflow.upsert(
                "", {"Name": name, "StartAt": f"{name}Stage", "Stages": {f"{name}Stage": {"End": True}}}
            )

            def latency() -> float:
                began = time.perf_counter()
                submitted = workflow.start(name, {"Video": source})
                workflow.wait(submitted["Id"], timeout=120, poll_seconds=0.05)
                return time.perf_counter() - began

            latency()  # warm-up: fresh workers import their handlers
            return {
                "S3 PutObject per second": _rate(put, writes),
                "dataplane results per second": _rate(store, writes),
                "execution latency, median (ms)": 1000
                * statistics.median(latency() for _ in range(executions)),
            }
        finally:
            platform.stop(progress=lambda _: None)


def _rate(action: Callable[[int], None], count: int) -> float:
    began = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(action, range(count)))
    return count / (time.perf_counter() - began)


if __name__ == "__main__":
    main()
