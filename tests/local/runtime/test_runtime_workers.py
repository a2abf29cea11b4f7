"""The worker pool runs handlers in warm subprocesses and reports errors as Lambda does."""

from __future__ import annotations

import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from medialens.runtime.functions import FunctionSpec
from medialens.runtime.workers import InvokeResult, UnknownFunctionError, WorkerPool

from .conftest import CODE_PATHS, HANDLERS


def _call(pool: WorkerPool, name: str, event: object) -> tuple[dict, str | None]:
    result = pool.invoke(name, json.dumps(event).encode())
    return json.loads(result.payload), result.function_error


def test_handler_result_context_env_and_log_tail(pool: WorkerPool) -> None:
    result = pool.invoke("echo", b'{"x": 1}')
    answer = json.loads(result.payload)
    assert result.function_error is None
    assert answer["event"] == {"x": 1}
    assert answer["function_name"] == "echo"
    assert answer["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:echo"
    assert 0 < answer["remaining_ms"] <= 30_000
    assert answer["greeting"] == "hello from echo"
    assert 'echo got {"x": 1}' in result.log_tail


def test_environment_is_per_function(pool: WorkerPool) -> None:
    answer, _ = _call(pool, "sleep", {"seconds": 0})
    echo, _ = _call(pool, "echo", {})
    assert echo["greeting"] == "hello from echo"
    assert answer["pid"] != echo["pid"]


def test_warm_state_survives_between_calls(pool: WorkerPool) -> None:
    first, _ = _call(pool, "count", {})
    second, _ = _call(pool, "count", {})
    assert second["pid"] == first["pid"]
    assert second["calls"] == first["calls"] + 1


def test_exception_reports_class_name_as_error_type(pool: WorkerPool) -> None:
    answer, error = _call(pool, "fail", {"what": "purpose"})
    assert error == "Unhandled"
    assert answer["errorType"] == "TransientError"
    assert answer["errorMessage"] == "failed on purpose"
    assert any("sample.py" in line for line in answer["stackTrace"])
    assert not any("worker_main" in line for line in answer["stackTrace"])


def test_timeout_kills_the_worker_and_a_fresh_one_serves_next(pool: WorkerPool) -> None:
    before, _ = _call(pool, "sleep", {"seconds": 0})
    started = time.monotonic()
    answer, error = _call(pool, "sleep", {"seconds": 5})
    assert time.monotonic() - started < 3
    assert error == "Unhandled"
    assert answer["errorType"] == "Sandbox.Timedout"
    assert answer["errorMessage"].endswith("Task timed out after 1.00 seconds")
    after, error = _call(pool, "sleep", {"seconds": 0})
    assert error is None
    assert after["pid"] != before["pid"]


def test_worker_exit_is_runtime_exit_error_and_worker_is_replaced(pool: WorkerPool) -> None:
    answer, error = _call(pool, "crash", {"code": 7})
    assert error == "Unhandled"
    assert answer["errorType"] == "Runtime.ExitError"
    assert answer["errorMessage"].endswith("Runtime exited with error: exit status 7")
    answer, _ = _call(pool, "crash", {"code": 3})
    assert answer["errorMessage"].endswith("exit status 3")


def test_worker_killed_by_signal_is_runtime_exit_error(pool: WorkerPool) -> None:
    answer, _ = _call(pool, "crash", {"signal": signal.SIGSEGV})
    assert answer["errorType"] == "Runtime.ExitError"
    assert answer["errorMessage"].endswith("Runtime exited with error: signal: segmentation fault")


def test_worker_that_died_while_idle_is_replaced_transparently(pool: WorkerPool) -> None:
    first, _ = _call(pool, "count", {})
    os.kill(first["pid"], signal.SIGKILL)
    time.sleep(0.2)
    second, error = _call(pool, "count", {})
    assert error is None
    assert second["pid"] != first["pid"]
    assert second["calls"] == 1  # a cold start: module state begins afresh


def test_unserialisable_result_is_marshal_error(pool: WorkerPool) -> None:
    answer, error = _call(pool, "unserialisable", {})
    assert error == "Unhandled"
    assert answer["errorType"] == "Runtime.MarshalError"
    assert "not JSON serializable" in answer["errorMessage"]


def test_import_failure_is_import_module_error(pool: WorkerPool) -> None:
    answer, error = _call(pool, "missing", {})
    assert error == "Unhandled"
    assert answer["errorType"] == "Runtime.ImportModuleError"
    assert "Unable to import module 'tests.local.runtime.handlers.no_such_module'" in answer["errorMessage"]


def test_unknown_function_is_a_lookup_error(pool: WorkerPool) -> None:
    with pytest.raises(UnknownFunctionError):
        pool.invoke("nope", b"{}")


def test_concurrency_is_capped_per_function(tmp_path: Path) -> None:
    spec = FunctionSpec("sleep", f"{HANDLERS}.sleep", {}, timeout_seconds=5)
    with WorkerPool([spec], code_paths=CODE_PATHS, base_env={}, max_workers_per_function=2) as pool:
        pool.warm()
        started = time.monotonic()
        with ThreadPoolExecutor(4) as executor:
            results = list(executor.map(lambda _: pool.invoke("sleep", b'{"seconds": 0.5}'), range(4)))
        elapsed = time.monotonic() - started
    pids = {json.loads(r.payload)["pid"] for r in results}
    assert all(r.function_error is None for r in results)
    assert len(pids) == 2  # two workers, each used twice
    assert 0.95 < elapsed < 4  # two rounds of 0.5 s, not one


def test_a_function_s_reserved_concurrency_replaces_the_pool_s_cap(tmp_path: Path) -> None:
    wide = FunctionSpec("wide", f"{HANDLERS}.sleep", {}, timeout_seconds=5, reserved_concurrency=4)
    narrow = FunctionSpec("narrow", f"{HANDLERS}.sleep", {}, timeout_seconds=5, reserved_concurrency=1)
    with WorkerPool([wide, narrow], code_paths=CODE_PATHS, base_env={}, max_workers_per_function=2) as pool:
        pool.warm()
        with ThreadPoolExecutor(4) as executor:
            wide_pids = set(executor.map(lambda _: _pid(pool.invoke("wide", b'{"seconds": 2.0}')), range(4)))
            narrow = [b'{"seconds": 0.1}'] * 4
            narrow_pids = set(executor.map(lambda payload: _pid(pool.invoke("narrow", payload)), narrow))
    assert len(wide_pids) == 4  # four at once: more than the pool's cap of 2
    assert len(narrow_pids) == 1


def _pid(result: InvokeResult) -> int:
    assert result.function_error is None
    return int(json.loads(result.payload)["pid"])


def test_a_busy_function_serves_the_next_call_from_the_first_worker_freed() -> None:
    # Starting a second worker takes 3 s here; the first one is free again after 0.3 s.
    spec = FunctionSpec("sleep", f"{HANDLERS}.sleep", {"SAMPLE_IMPORT_SECONDS": "3"}, timeout_seconds=10)
    with WorkerPool([spec], code_paths=CODE_PATHS, base_env={}, max_workers_per_function=2) as pool:
        assert pool.warm() == {}
        started = time.monotonic()
        with ThreadPoolExecutor(2) as executor:
            first = executor.submit(pool.invoke, "sleep", b'{"seconds": 0.3}')
            time.sleep(0.1)  # the first call holds the only warm worker
            second = executor.submit(pool.invoke, "sleep", b'{"seconds": 0}')
            second_answer = json.loads(second.result().payload)
            second_elapsed = time.monotonic() - started
            first_answer = json.loads(first.result().payload)
        assert second_answer["pid"] == first_answer["pid"]
        assert second_elapsed < 2.5  # not the 3 s of a new worker's start
        time.sleep(3.5)  # the worker started meanwhile is warm now: two calls run at once
        with ThreadPoolExecutor(2) as executor:
            both = list(executor.map(lambda _: pool.invoke("sleep", b'{"seconds": 0.5}'), range(2)))
        assert len({json.loads(result.payload)["pid"] for result in both}) == 2


def test_an_init_failure_reaches_the_caller_that_started_the_worker() -> None:
    spec = FunctionSpec("missing", "tests.local.runtime.handlers.no_such_module.handler", {})
    with WorkerPool([spec], code_paths=CODE_PATHS, base_env={}) as pool:
        results = [pool.invoke("missing", b"{}") for _ in range(2)]
    assert all(json.loads(r.payload)["errorType"] == "Runtime.ImportModuleError" for r in results)


def test_closed_pool_refuses_work() -> None:
    pool = WorkerPool([FunctionSpec("echo", f"{HANDLERS}.echo", {})], code_paths=CODE_PATHS, base_env={})
    assert pool.warm() == {}
    pool.close()
    with pytest.raises(RuntimeError):
        pool.invoke("echo", b"{}")


def test_a_function_not_warm_at_start_starts_at_its_first_invocation() -> None:
    # A broken function warm() started would be among its failures: these are not started yet.
    cold = FunctionSpec("cold", f"{HANDLERS}.echo", {}, warm_at_start=False)
    broken = FunctionSpec(
        "broken", "tests.local.runtime.handlers.no_such_module.handler", {}, warm_at_start=False
    )
    warm = FunctionSpec("warm", "tests.local.runtime.handlers.no_such_module.handler", {})
    with WorkerPool([cold, broken, warm], code_paths=CODE_PATHS, base_env={}) as pool:
        assert set(pool.warm()) == {"warm"}
        answer = pool.invoke("cold", b'{"hello": "world"}')
        failed = pool.invoke("broken", b"{}")
    assert answer.function_error is None
    assert json.loads(answer.payload)["event"] == {"hello": "world"}
    assert failed.function_error == "Unhandled"
    assert json.loads(failed.payload)["errorType"] == "Runtime.ImportModuleError"
