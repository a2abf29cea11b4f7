"""The `medialens` command: start, stop, inspect and reset the local platform, and run the demo.

Expected failures (not running, already running, a step of the demo failing) print one line and
exit non-zero; tracebacks are kept for bugs.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

import typer
from medialens_helper import DataplaneError
from medialens_helper.workflow_client import ExecutionDeadlineError, WorkflowApiCallError
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from api.registration.apply import RegistrationError
from api.search.query import QuerySyntaxError
from api.search.sqlite_index import SearchIndexError, SqliteSearchIndex
from medialens.demo import DataplaneDemo
from medialens.deployment import LocalDeployment
from medialens.engine_harness.cli import engine_app
from medialens.engine_harness.errors import HarnessError
from medialens.inspect.server import preferred_inspect_port
from medialens.runtime.service_process import ServiceProcessError
from medialens.sample_engines import UnknownEngineError, hosted_engines
from medialens.state import HOME_ENV, Endpoints, StateDir
from medialens.workflow_job import JobError, MediaAnalysisJob
from operators.catalog import CatalogError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Run the Medialens platform on this machine, with no AWS account.",
)
# soft_wrap: a line is never cut at the terminal's width, nor at 80 columns in a log or a pipe,
# so an endpoint or the `eval` line stays whole for whoever copies or greps it.
console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)
app.add_typer(engine_app, name="engine")

STOP_WAIT_SECONDS = 60.0


class CliError(Exception):
    """An expected failure: printed as one line, exit code 1."""


def main() -> None:
    try:
        app()
    except (CliError, HarnessError) as exc:
        # One line whatever the terminal width, and the message printed as it is (no markup).
        errors.print(f"medialens: {exc}", markup=False, soft_wrap=True)
        raise SystemExit(1) from None


@app.command()
def up() -> None:
    """Start the local platform in the foreground; Ctrl-C or `medialens down` stops it."""
    state = StateDir()
    _refuse_if_running(state)
    state.ensure()
    state.clear_endpoints()  # left by a run that crashed: `status` must not show them as live
    state.pid_file.write_text(str(os.getpid()))
    stop_requested = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop_requested.set())
    try:
        with _started_platform(state) as endpoints:
            console.print(f"ready: dataplane API {endpoints.dataplane_api}")
            # Printed as is, on one line: it is meant to be pasted into a shell.
            console.print(f"in another shell: {env_command(state)}", markup=False, soft_wrap=True)
            while not stop_requested.wait(0.5):
                pass
            console.print("stopping: the APIs answer 503 while the platform's data is saved")
    finally:
        state.pid_file.unlink(missing_ok=True)


def env_command(state: StateDir) -> str:
    """`eval "$(MEDIALENS_HOME=<state> <this medialens> env)"`, which works from any folder and PATH."""
    program = Path(sys.argv[0])
    executable = os.path.abspath(program) if program.is_file() else (shutil.which("medialens") or "medialens")
    inner = f"{HOME_ENV}={shlex.quote(str(state.root))} {shlex.quote(executable)} env"
    return f'eval "$({inner})"'


@app.command()
def down() -> None:
    """Stop the platform that `medialens up` runs (its data is saved first)."""
    state = StateDir()
    pid = _running_pid(state)
    if pid is None:
        raise CliError("the local platform is not running")
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while time.monotonic() < deadline:
        if _running_pid(state) is None:
            console.print("stopped")
            return
        time.sleep(0.2)
    raise CliError(f"the platform (pid {pid}) did not stop within {STOP_WAIT_SECONDS:.0f} s")


@app.command()
def env() -> None:
    """Print `export` lines for the endpoints and local credentials: eval "$(medialens env)"."""
    state = StateDir()
    endpoints = _running_endpoints(state)
    credentials = state.credentials()
    variables = {
        "WORKFLOW_API_ENDPOINT": endpoints.workflow_api,
        "DATAPLANE_API_ENDPOINT": endpoints.dataplane_api,
        "DATAPLANE_BUCKET": endpoints.dataplane_bucket,
        "AWS_ENDPOINT_URL": endpoints.moto_url,
        "AWS_ACCESS_KEY_ID": credentials.access_key_id,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
        "AWS_DEFAULT_REGION": credentials.region,
        "AWS_REGION": credentials.region,
    }
    if endpoints.inspect_url:
        variables["MEDIALENS_INSPECT_URL"] = endpoints.inspect_url
    for name, value in variables.items():
        print(f"export {name}={shlex.quote(value)}")


@app.command()
def status() -> None:
    """Say whether the platform runs, and where."""
    state = StateDir()
    pid = _running_pid(state)
    endpoints = state.read_endpoints()
    if pid is None or endpoints is None:
        raise CliError("the local platform is not running")
    console.print(f"running (pid {pid})")
    console.print(f"  dataplane API  {endpoints.dataplane_api}")
    console.print(f"  workflow API   {endpoints.workflow_api}")
    console.print(f"  AWS endpoint   {endpoints.moto_url}")
    if endpoints.inspect_url:
        console.print(f"  Discover       {endpoints.inspect_url}/search/findings")
    console.print(f"  state folder   {state.root}")


@app.command()
def reset() -> None:
    """Delete all local state: data, snapshot, credentials. Stop the platform first."""
    state = StateDir()
    _refuse_if_running(state)
    if state.root.exists():
        shutil.rmtree(state.root)
    console.print(f"removed {state.root}")


@app.command()
def run() -> None:
    """Start the platform (or use the running one) and analyse a sample video with a workflow."""
    state = StateDir()
    live_pages = ""
    try:
        if _running_pid(state) is not None:
            endpoints = _running_endpoints(state)
            live_pages = endpoints.inspect_url
            result = MediaAnalysisJob(endpoints, state.credentials(), console).run()
        else:
            with _started_platform(state) as endpoints:
                result = MediaAnalysisJob(endpoints, state.credentials(), console).run()
    except (JobError, WorkflowApiCallError, RegistrationError, ExecutionDeadlineError, DataplaneError) as exc:
        raise CliError(f"run failed: {exc}") from None
    _print_where_to_look(state, result.execution.get("AssetId", ""), live_pages)
    if not result.completed:
        raise CliError(f"run failed: the workflow ended {result.execution.get('Status')}")
    if result.failed_checks:
        failed = "; ".join(f"{check.name}: {check.detail}" for check in result.failed_checks)
        raise CliError(f"run failed: the findings do not match the sample: {failed}")
    console.print(
        "[green]run complete[/green]: every operator completed and what they found matches the sample"
    )


def _print_where_to_look(state: StateDir, asset_id: str, live_pages: str) -> None:
    """Where the results can be seen in a browser: now, or once `medialens up` serves them again."""
    if live_pages:
        console.print(f"see them in a browser: {live_pages}/-/asset/{asset_id}", soft_wrap=True)
        return
    pages = f"http://127.0.0.1:{preferred_inspect_port()}"
    console.print(
        f"the results are kept in {state.root}; to see them in a browser, start the platform with "
        f"`{sys.argv[0]} up` (its line 'Discover and asset pages on ...' gives the address, "
        f"{pages} unless that port is taken) and open {pages}/-/asset/{asset_id} "
        f"or search {pages}/search/findings",
        soft_wrap=True,
        markup=False,
    )


# A query may begin with "-" (`-x`, a negative number): it is the query, not an unknown option.
@app.command(context_settings={"ignore_unknown_options": True})
def search(
    query: str = typer.Argument(
        ...,
        help='Words, "phrases", a file name, a path, an asset id, key:value (asset:, operator:, '
        "workflow: filter), OR / AND / NOT, prefix*",
    ),
    operator: str | None = typer.Option(None, help="Only this operator's results"),
    asset: str | None = typer.Option(None, help="Only this asset's results"),
    limit: int = typer.Option(20, min=1, max=1000, help="At most this many hits"),
) -> None:
    """Search the results stored so far (the local index the dataplane stream fills)."""
    state = StateDir()
    if not state.search_index.exists():
        raise CliError(f"no search index yet at {state.search_index}: start the platform and store results")
    try:
        hits = SqliteSearchIndex(state.search_index).search(
            query, operator=operator, asset_id=asset, limit=limit
        )
    except QuerySyntaxError as exc:
        raise CliError(f"cannot search for {query!r}: {exc}") from None
    except SearchIndexError as exc:
        raise CliError(str(exc)) from None
    if not hits:
        console.print("no results match")
        return
    table = Table(Column("asset", no_wrap=True, min_width=36), "operator", "page", "match")  # ids stay whole
    for hit in hits:
        table.add_row(hit.asset_id, hit.operator, str(hit.page), escape(hit.snippet))
    console.print(table)


@app.command()
def demo() -> None:
    """Start the platform (or use the running one) and walk through the dataplane API."""
    state = StateDir()
    if _running_pid(state) is not None:
        report = DataplaneDemo(_running_endpoints(state), state.credentials(), console).run()
    else:
        with _started_platform(state) as endpoints:
            report = DataplaneDemo(endpoints, state.credentials(), console).run()
    if not report.ok:
        raise CliError(f"demo failed at {report.failed}")
    console.print("[green]demo complete[/green]: every step behaved")


class _started_platform:  # noqa: N801 - used as a `with` statement, reads like a function
    """Start the platform with progress lines; stop it (saving a snapshot) on the way out."""

    def __init__(self, state: StateDir) -> None:
        try:
            deployment = LocalDeployment(state, engines=hosted_engines())
        except UnknownEngineError as exc:
            raise CliError(f"cannot start: {exc}") from None
        except CatalogError as exc:  # a malformed operators.json: its file and field, no traceback
            raise CliError(f"cannot start: {exc}") from None
        # Imported here: moto takes a second to import, and `search`, `status` or `env` need none of it.
        from medialens.runtime.platform import LocalPlatform

        self.platform = LocalPlatform(state, deployment, serve_inspection=True)

    def __enter__(self) -> Endpoints:
        started = time.perf_counter()
        try:
            endpoints = self.platform.start(progress=lambda line: console.print(f"  {line}"))
        except ServiceProcessError as exc:  # stopped already; what failed, in one line
            raise CliError(f"cannot start: {exc}") from None
        console.print(f"local platform ready in {time.perf_counter() - started:.1f} s")
        return endpoints

    def __exit__(self, *_: object) -> None:
        self.platform.stop()


def _running_pid(state: StateDir) -> int | None:
    try:
        pid = int(state.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _running_endpoints(state: StateDir) -> Endpoints:
    endpoints = state.read_endpoints()
    if _running_pid(state) is None or endpoints is None:
        raise CliError("the local platform is not running; start it with `medialens up`")
    return endpoints


def _refuse_if_running(state: StateDir) -> None:
    pid = _running_pid(state)
    if pid is not None:
        raise CliError(f"the local platform is already running (pid {pid}); stop it with `medialens down`")
