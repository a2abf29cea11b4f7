"""Workflow latency, burst throughput and memory on the local runtime, moto stock next to tuned.

The workflow has 3 stages of 2 parallel sync operators each (both run the `TestSyncOk` handler).
The platform runs in a child process of its own (`platform_process.py`), as `medialens up` does,
so this client takes none of its CPU. In one run, on one machine, this prints side by side, with
moto's own stock paths (`medialens.runtime.moto_tuning` uninstalled) and with the tuned ones:

- end-to-end latency of one execution at a time (submit -> Complete seen by the client, polling
  every 50 ms), median of N, and the CPU per execution of the platform process, of its DynamoDB
  process and of its workers;
- for each burst size M (MaxConcurrentWorkflows = `--cap`): how long until all M submissions were
  answered, and executions per second until the last one ended (as its record's `Modified` says;
  the platform and this client share the clock) and until this client, which checks them one
  after the other every 0.2 s, had seen them all final (the figure of earlier rounds); a burst
  still running after `--burst-limit` s is cut: what had completed counts, the rest is cancelled;
- the platform process's resident memory after each phase and at the end (after every execution
  of the run; at least `--memory-executions`), and how many ended executions moto still holds;
- state transitions and Lambda invocations per operator of one execution, next to MIE's machines;
- the same 6 operator calls made directly: in this process, and as Lambda invokes.

Warm-up bursts (not counted) first let each function's worker pool grow to its working size: a
call finding every worker busy starts one more, so that takes a few bursts; they repeat until one
grew no pool (at most WARM_UP_BURSTS), and the figures say how many ran.

    .venv/bin/python bench/controlplane_latency.py [--sequential 20] [--stock 10] \
        [--bursts 20,100,500] [--burst-limit 120] [--memory-executions 1000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_workflow as workflow
import boto3
from medialens_helper import HttpTransport
from medialens_helper.errors import MedialensError
from medialens_helper.workflow_client import WorkflowApiCallError, WorkflowClient
from platform_process import PlatformProcess

from medialens.state import Endpoints, StateDir

WARM_UP_BURSTS = 4
QUIET_WINDOW_SECONDS = 0.5
QUIET_CPU_SHARE = 0.1  # of one core, all the platform's processes together
QUIET_LIMIT_SECONDS = 30.0
MODES = ("stock", "tuned")
FIRST_50 = {"limit": "50"}
Row = tuple[str, str, str]  # label, stock, tuned


def _first_line(text: str) -> str:
    """A reason without the HTML page a 500 from moto's server carries after it."""
    head = text.split("<", 1)[0].strip()
    return head.splitlines()[0] if head else text.strip()[:200]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sequential", type=int, default=20, help="executions one at a time, tuned")
    parser.add_argument("--stock", type=int, default=10, help="executions one at a time, stock")
    parser.add_argument("--bursts", default="20,100,500", help="comma-separated numbers submitted at once")
    parser.add_argument("--cap", type=int, default=20, help="MaxConcurrentWorkflows during bursts")
    parser.add_argument("--burst-limit", type=float, default=120.0, help="seconds a burst may run")
    parser.add_argument("--memory-executions", type=int, default=1000, help="executions before the end")
    parser.add_argument("--stock-bursts", default="20,100", help="burst sizes also run stock")
    args = parser.parse_args()
    bursts = [int(size) for size in args.bursts.split(",") if size.strip()]
    stock_bursts = {int(size) for size in args.stock_bursts.split(",") if size.strip()}
    started = time.perf_counter()
    with PlatformProcess() as platform:
        print(f"local platform ready in {time.perf_counter() - started:.1f} s (in a process of its own)")
        bench = Bench(platform, args.cap, args.burst_limit)
        rows = bench.run(args.sequential, args.stock, bursts, stock_bursts, args.memory_executions)
    print()
    shape = f"{len(workflow.STAGES)} stages x {len(workflow.OPERATIONS)} parallel sync operators"
    print(f"workflow: {shape} ({workflow.HANDLER_OPERATOR})")
    print(f"{'':62} {'moto stock':>16} {'tuned':>16}")
    for label, stock, tuned in rows:
        print(f"{label:62} {stock:>16} {tuned:>16}")
    print()
    print(f"{'one execution, from its history':62} {'MIE':>16} {'Medialens':>16}")
    for label, mie, ours in bench.costs:
        print(f"{label:62} {mie:>16} {ours:>16}")
    failed = [line for mode in MODES for line in bench.failed[mode]]
    if failed:
        noun = "execution" if len(failed) == 1 else "executions"
        raise SystemExit(f"{len(failed)} {noun} ended otherwise than Complete:\n" + "\n".join(failed[:5]))


class Bench:
    def __init__(self, platform: PlatformProcess, cap: int, burst_limit: float) -> None:
        assert platform.endpoints is not None
        self.platform = platform
        self.endpoints: Endpoints = platform.endpoints
        credentials = StateDir(Path(platform.state_root)).credentials()
        self.session = boto3.Session(
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            region_name=credentials.region,
        )
        self.client = WorkflowClient(HttpTransport(self.endpoints.workflow_api, session=self.session))
        self.cap = cap
        self.burst_limit = burst_limit
        self.executions = 0
        self.failed: dict[str, list[str]] = {mode: [] for mode in MODES}  # mode -> "id Status: reason"
        self.cancelled: dict[str, int] = dict.fromkeys(MODES, 0)  # still running at the burst limit
        self.last_ids: list[str] = []
        self.mode = "tuned"
        self.costs: list[Row] = []

    def run(
        self, sequential: int, stock: int, bursts: list[int], stock_bursts: set[int], memory_executions: int
    ) -> list[Row]:
        media = workflow.define_workflow(self.client, self.session, self.endpoints)
        workflow.run_one(self.client, media)  # the first execution pays for imports in fresh workers
        self.costs = self._costs(media)
        rows = self._sequential(media, {"stock": stock, "tuned": sequential})
        self.client.set_max_concurrent_workflows(self.cap)
        rows += self._warm_up(media)
        for size in bursts:
            rows += self._bursts(media, size, size in stock_bursts)
        while self.executions < memory_executions:
            self._burst(media, min(100, memory_executions - self.executions))
        status = self.platform.command("status")
        rows += [
            (
                f"platform memory after the run ({self.executions} executions)",
                "",
                f"{status['rss_mib']:.0f} MiB",
            ),
            ("  its DynamoDB process", "", f"{status['dynamodb_rss_mib']:.0f} MiB"),
            ("  ended executions moto holds in memory", "", str(status["moto_executions"])),
            (
                "  executions ended otherwise / cancelled at the limit",
                f"{len(self.failed['stock'])} / {self.cancelled['stock']}",
                f"{len(self.failed['tuned'])} / {self.cancelled['tuned']}",
            ),
        ]
        return rows + self._direct_calls()

    def _warm_up(self, media: dict[str, Any]) -> list[Row]:
        """Bursts of `cap` until no function's pool grew in one (at most WARM_UP_BURSTS): a call
        finding every worker busy starts one more, so pools reach their working size over a few
        bursts, not in the first."""
        workers, bursts = self.platform.command("status")["worker_processes"], 0
        while bursts < WARM_UP_BURSTS:
            self._burst(media, self.cap)
            bursts += 1
            before, workers = workers, self.platform.command("status")["worker_processes"]
            if workers <= before:
                break
        label = f"warm-up: bursts of {self.cap} until no pool grows"
        return [(label, "", f"{bursts}, {workers} workers")]

    def _mode(self, mode: str) -> None:
        self._quiet()
        self.platform.command(mode)
        self.mode = mode

    def _quiet(self) -> None:
        """Wait (at most QUIET_LIMIT_SECONDS) until the platform's processes are idle: what a
        phase left to do (moto ending its executions, the garbage it made) must not be billed to
        the next one; a stock burst's leftovers tripled the platform's CPU in the burst after it."""
        deadline = time.perf_counter() + QUIET_LIMIT_SECONDS
        last = sum(self._cpu())
        while time.perf_counter() < deadline:
            time.sleep(QUIET_WINDOW_SECONDS)
            now = sum(self._cpu())
            if now - last < QUIET_CPU_SHARE * QUIET_WINDOW_SECONDS:
                return
            last = now

    def _cpu(self) -> tuple[float, float, float]:
        status = self.platform.command("status")
        return status["platform_cpu"], status["dynamodb_cpu"], status["workers_cpu"]

    def _sequential(self, media: dict[str, Any], counts: dict[str, int]) -> list[Row]:
        medians: dict[str, str] = {}
        p90s: dict[str, str] = {}
        cpus: dict[str, tuple[str, str, str]] = {}
        for mode in MODES:
            if not counts[mode]:
                medians[mode] = p90s[mode] = "-"
                cpus[mode] = ("-", "-", "-")
                continue
            self._mode(mode)
            workflow.run_one(self.client, media)  # a stock run first builds what the caches would hold
            before = self._cpu()
            latencies = [workflow.run_one(self.client, media) for _ in range(counts[mode])]
            after = self._cpu()
            self.executions += counts[mode] + 1
            medians[mode] = f"{statistics.median(latencies) * 1000:.0f} ms ({counts[mode]})"
            p90s[mode] = f"{_quantile(latencies, 0.9) * 1000:.0f} ms"
            per_execution = ((a - b) / counts[mode] * 1000 for a, b in zip(after, before, strict=True))
            cpus[mode] = tuple(f"{ms:.0f} ms" for ms in per_execution)  # type: ignore[assignment]
        self._mode("tuned")
        return [
            ("end-to-end latency, one at a time: median (executions)", medians["stock"], medians["tuned"]),
            ("  p90", p90s["stock"], p90s["tuned"]),
            ("  CPU per execution: platform process", cpus["stock"][0], cpus["tuned"][0]),
            ("  CPU per execution: its DynamoDB process", cpus["stock"][1], cpus["tuned"][1]),
            ("  CPU per execution: its Lambda workers", cpus["stock"][2], cpus["tuned"][2]),
        ]

    def _bursts(self, media: dict[str, Any], size: int, with_stock: bool) -> list[Row]:
        answered: dict[str, str] = {"stock": "-", "tuned": "-"}
        rates: dict[str, str] = {"stock": "-", "tuned": "-"}
        seen_rates: dict[str, str] = {"stock": "-", "tuned": "-"}
        for mode in MODES if with_stock else ("tuned",):
            self._mode(mode)
            before = self._cpu()
            accepted, ended, seen, completed = self._burst(media, size)
            cpu = "/".join(f"{(a - b) / size * 1000:.0f}" for a, b in zip(self._cpu(), before, strict=True))
            refused = size - len(self.last_ids)
            answered[mode] = f"{accepted:.2f} s" + (f" ({refused} refused)" if refused else "")
            print(
                f"  {mode}: {size} at once answered in {accepted:.2f} s, {completed} done,"
                f" CPU ms per execution (platform/DynamoDB/workers) {cpu}",
                file=sys.stderr,
            )
            cut = "" if completed == size else f" ({completed} done)"
            rates[mode] = f"{completed / ended:.2f} ex/s{cut}" if ended > 0 else "-"
            seen_rates[mode] = f"{completed / seen:.2f} ex/s"
        self._mode("tuned")
        return [
            (f"{size} submitted at once: all answered after", answered["stock"], answered["tuned"]),
            (f"  executions/s until the last one ended (cap {self.cap})", rates["stock"], rates["tuned"]),
            ("  executions/s until this client had seen all final", seen_rates["stock"], seen_rates["tuned"]),
        ]

    def _burst(self, media: dict[str, Any], count: int) -> tuple[float, float, float, int]:
        """Seconds until all `count` submissions were answered, until the last completed one
        ended (its record's `Modified`), until this client had seen all final (or the limit),
        and how many completed; what still runs at the limit is cancelled."""
        wall_start = datetime.now(UTC)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=min(count, 50)) as pool:
            submitted = list(pool.map(lambda _: self._submit(media), range(count)))
        accepted = time.perf_counter() - started
        ids = self.last_ids = [execution_id for execution_id in submitted if execution_id is not None]
        deadline = started + self.burst_limit
        completed = 0
        last_end = wall_start
        # One client thread waits for all: `count` pollers would load the API more than the workflows.
        for execution_id in ids:
            record = self._record(execution_id)
            while record["Status"] in ("Queued", "Started") and time.perf_counter() < deadline:
                time.sleep(0.2)
                record = self._record(execution_id)
            if record["Status"] == "Complete":
                completed += 1
                last_end = max(last_end, datetime.fromisoformat(record["Modified"]))
            elif record["Status"] in ("Queued", "Started"):
                self.client.call("DELETE", f"/workflow/execution/{execution_id}")
                self.cancelled[self.mode] += 1
            else:
                reason = _first_line(str(record.get("Error")))
                self.failed[self.mode].append(f"{self.mode}: {execution_id} {record['Status']}: {reason}")
        seen = min(time.perf_counter(), deadline) - started
        ended = (last_end - wall_start).total_seconds()
        self.executions += count
        self._settle(deadline + self.burst_limit)
        return accepted, ended, seen, completed

    def _record(self, execution_id: str) -> dict[str, Any]:
        """The execution's record; a lost one (moto's stock transactions roll a table back over
        other requests' writes) is reported as such, never a crash of the bench."""
        try:
            return self.client.execution(execution_id)
        except WorkflowApiCallError as exc:
            if exc.status_code != 404:
                raise
            return {"Status": "Lost", "Error": "its record is gone (the API answered 404)"}

    def _settle(self, deadline: float) -> None:
        """Wait until nothing is Queued or Started (a submission the client gave up on may still
        have been accepted and run), so the next figure measures only its own executions."""
        while time.perf_counter() < deadline:
            busy = [
                execution
                for status in ("Queued", "Started")
                for execution in self.client.call(
                    "GET", f"/workflow/execution/status/{status}", query={"limit": "50"}
                )
            ]
            if not busy:
                return
            for execution in busy:
                self.client.call("DELETE", f"/workflow/execution/{execution['Id']}")
            time.sleep(1.0)

    def _submit(self, media: dict[str, Any]) -> str | None:
        """The new execution's Id, or None when the API did not accept it (an error, a timeout)."""
        try:
            return str(self.client.start(workflow.WORKFLOW, media)["Id"])
        except (MedialensError, WorkflowApiCallError, OSError) as exc:
            print(f"  submission refused: {exc}", file=sys.stderr)
            return None

    def _costs(self, media: dict[str, Any]) -> list[Row]:
        costs = workflow.costs_per_execution(self.client, self.session, self.endpoints, media)
        transitions, invocations = costs
        operators, stages = len(workflow.STAGES) * len(workflow.OPERATIONS), len(workflow.STAGES)
        mie_transitions = operators * workflow.MIE_SYNC_OPERATOR[0] + stages * workflow.MIE_STAGE[0]
        mie_invocations = operators * workflow.MIE_SYNC_OPERATOR[1] + stages * workflow.MIE_STAGE[1]
        self.executions += 1
        return [
            ("state transitions", str(mie_transitions), str(transitions)),
            ("  per operator", f"{mie_transitions / operators:.1f}", f"{transitions / operators:.1f}"),
            ("Lambda invocations", str(mie_invocations), str(invocations)),
            ("  per operator", f"{mie_invocations / operators:.1f}", f"{invocations / operators:.1f}"),
        ]

    def _direct_calls(self) -> list[Row]:
        operator = workflow.operator_event({"Video": {"S3Bucket": "b", "S3Key": "k"}})
        in_process = workflow.time_calls(workflow.in_process_handler(), operator, repeat=20)
        operation = self.client.call("GET", f"/workflow/operation/{workflow.OPERATIONS[0]}")
        lambda_client = self.session.client("lambda", endpoint_url=self.endpoints.moto_url)
        invoker = workflow.lambda_invoker(lambda_client, operation["StartLambdaArn"])
        as_lambda = workflow.time_calls(invoker, operator, repeat=20)
        six = len(workflow.STAGES) * len(workflow.OPERATIONS)
        return [
            (f"{six} operator calls in this process (median)", "", f"{six * in_process * 1000:.1f} ms"),
            (
                f"{six} operator calls as local Lambda invokes (median)",
                "",
                f"{six * as_lambda * 1000:.1f} ms",
            ),
        ]


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


if __name__ == "__main__":
    main()
