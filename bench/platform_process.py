"""The local platform in a child process of its own, for benchmarks whose client must not share it.

A real client (the CLI, a browser, boto3 in a notebook) runs in another process than
`medialens up`; a benchmark client in the platform's own process would take its CPU and GIL. The
child starts `LocalPlatform` in a temporary folder and answers commands over a pipe:

- `stock` / `tuned`: uninstall or install `medialens.runtime.moto_tuning` (moto's own paths or ours);
- `status`: the child's resident memory (MiB) and its DynamoDB process's, how many executions moto
  holds, and the CPU seconds of the platform process, of its DynamoDB process and of all its
  workers, and how many worker processes run (from /proc, Linux only);
- `stop`: stop the platform and exit.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import tempfile
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from medialens.state import Endpoints

_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


def _rss_mib(pid: str) -> float:
    return next(
        int(line.split()[1]) / 1024
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmRSS:")
    )


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(
                    Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def _status(dynamodb_pid: int | None) -> dict[str, Any]:
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    rss = _rss_mib("self")
    executions = sum(
        len(machine.executions)
        for account in stepfunctions_parser_backends.values()
        for backend in account.values()
        for machine in backend.state_machines
    )
    workers, worker_processes = 0.0, 0
    for pid in _descendants(os.getpid()):
        if pid == dynamodb_pid:
            continue
        try:
            workers += _cpu_seconds(pid)
        except (OSError, IndexError, ValueError):
            continue  # a worker that ended meanwhile
        worker_processes += 1
    return {
        "rss_mib": rss,
        "moto_executions": executions,
        "platform_cpu": _cpu_seconds(os.getpid()),
        "dynamodb_cpu": _cpu_seconds(dynamodb_pid) if dynamodb_pid is not None else 0.0,
        "dynamodb_rss_mib": _rss_mib(str(dynamodb_pid)) if dynamodb_pid is not None else 0.0,
        "workers_cpu": workers,
        "worker_processes": worker_processes,
    }


def _serve(connection: Connection) -> None:
    from medialens.deployment import LocalDeployment
    from medialens.runtime import moto_tuning
    from medialens.runtime.platform import LocalPlatform
    from medialens.state import StateDir

    # moto's stock DynamoDB transactions fail now and then under concurrent writes (moto copies a
    # table while another request changes it): the platform log keeps those 500s, not this output.
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory(prefix="medialens-bench-") as root:
        state = StateDir(Path(root))
        platform = LocalPlatform(state, LocalDeployment(state), save_snapshot=False)
        try:
            connection.send((platform.start(progress=lambda _: None), str(state.root)))
            while True:
                command = connection.recv()
                dynamodb = platform.dynamodb_process
                if command in ("stock", "tuned"):
                    (moto_tuning.uninstall if command == "stock" else moto_tuning.install)()
                    if dynamodb is not None:
                        dynamodb.set_tuning(command == "tuned")
                elif command == "status":
                    connection.send(_status(dynamodb.pid if dynamodb is not None else None))
                    continue
                elif command == "stop":
                    break
                connection.send("ok")
        finally:
            platform.stop(progress=lambda _: None)
            connection.send("stopped")


class PlatformProcess:
    """`with PlatformProcess() as platform:` a running platform in a child process."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child_end = context.Pipe()
        self._process = context.Process(target=_serve, args=(child_end,), name="medialens-platform")
        self.endpoints: Endpoints | None = None
        self.state_root = ""

    def __enter__(self) -> PlatformProcess:
        self._process.start()
        self.endpoints, self.state_root = self._connection.recv()
        return self

    def command(self, name: str) -> Any:
        self._connection.send(name)
        return self._connection.recv()

    def __exit__(self, *exc: object) -> None:
        try:
            self.command("stop")
        finally:
            self._process.join(timeout=60)
            if self._process.is_alive():
                self._process.kill()
