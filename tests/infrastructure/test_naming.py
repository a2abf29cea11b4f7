"""Several copies of the stack in one account: names derived from the stack name never collide."""

from __future__ import annotations

import pytest

from api.workflow.config import PREFIX_PATTERN
from infrastructure.naming import state_machine_prefix


@pytest.mark.parametrize(
    "stack_name",
    ["Medialens", "M", "medialens-staging-eu-west-1-team-a", "Medialens_Prod", "x" * 128, "---"],
)
def test_prefix_fits_the_workflow_apis_rule(stack_name: str) -> None:
    assert PREFIX_PATTERN.match(state_machine_prefix(stack_name))


def test_stack_names_sharing_a_long_start_get_different_prefixes() -> None:
    first = state_machine_prefix("MedialensStagingTeamA")
    second = state_machine_prefix("MedialensStagingTeamB")
    assert first != second
    assert first[:8] == second[:8]  # readable head kept, told apart by the hash
