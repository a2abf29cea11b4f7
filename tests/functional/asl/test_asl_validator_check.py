"""Generated ASL is accepted by an independent validator (npm asl-validator, pinned in package.json)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.support.asl_machines import counting_loop_machine, map_machine, representative_machine
from tests.support.asl_validator import asl_validator_problems, validator_problem


@pytest.fixture(autouse=True)
def _require_validator() -> None:
    # Fail, never skip: a silently skipped check is a check nobody runs.
    problem = validator_problem()
    if problem is not None:
        pytest.fail(problem)


def test_representative_machine_passes_asl_validator() -> None:
    assert asl_validator_problems(representative_machine().to_dict()) == []


def test_machines_run_on_moto_pass_asl_validator_too() -> None:
    assert asl_validator_problems(counting_loop_machine(rounds=3, wait_seconds=0).to_json()) == []
    assert asl_validator_problems(map_machine().to_json()) == []


def test_asl_validator_reports_a_broken_machine() -> None:
    broken: dict[str, Any] = copy.deepcopy(representative_machine().to_dict())
    del broken["States"]["Workflow Failed"]  # the Parallel's Catch target

    problems = asl_validator_problems(broken)

    assert any("MISSING_TRANSITION_TARGET" in p and "Workflow Failed" in p for p in problems), problems


def test_asl_validator_reports_an_unknown_state_type() -> None:
    broken: dict[str, Any] = copy.deepcopy(representative_machine().to_dict())
    broken["States"]["Prepare"]["Type"] = "Passs"

    problems = asl_validator_problems(broken)

    assert any("/States/Prepare/Type" in problem for problem in problems), problems


def test_asl_validator_rejects_a_machine_without_terminal_state() -> None:
    problems = asl_validator_problems({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}})

    assert any("MISSING_TERMINAL_STATE" in problem for problem in problems), problems
