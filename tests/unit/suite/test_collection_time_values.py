"""No test takes a clock reading or a random value when it is collected.

A value computed at collection time (in a decorator such as `parametrize`, a default argument, or
at module level) is as old as the suite when its test runs: a "future" signature date made at
collection is in the past half an hour later, on a slow machine. This reads every test module's
syntax and names each such call; compute the value inside the test (or a fixture) instead.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

TESTS_ROOT = Path(__file__).resolve().parents[2]
# Calls that read the clock or draw a random value, by their last attribute or name.
VOLATILE_CALLS = {
    "now",
    "utcnow",
    "today",
    "time",
    "time_ns",
    "monotonic",
    "perf_counter",
    "uuid1",
    "uuid4",
    "random",
    "randint",
    "choice",
    "token_hex",
    "token_bytes",
    "urandom",
}


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def _volatile_calls(node: ast.AST) -> Iterator[ast.Call]:
    for child in ast.walk(node):
        if isinstance(child, ast.Call) and _called_name(child) in VOLATILE_CALLS:
            yield child


def _evaluated_at_collection(tree: ast.Module) -> Iterator[ast.AST]:
    """The parts of a module that run when it is imported: everything but function bodies."""
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from node.decorator_list
            yield from node.args.defaults
            yield from (default for default in node.args.kw_defaults if default is not None)
        elif isinstance(node, ast.ClassDef):
            yield from node.decorator_list
            pending.extend(node.body)
        else:
            yield node


def test_no_test_module_reads_the_clock_or_draws_randomness_at_collection() -> None:
    found = []
    for path in sorted(TESTS_ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for part in _evaluated_at_collection(tree):
            for call in _volatile_calls(part):
                found.append(f"{path.relative_to(TESTS_ROOT.parent)}:{call.lineno} {_called_name(call)}()")
    assert found == [], "values fixed at collection time:\n" + "\n".join(found)
