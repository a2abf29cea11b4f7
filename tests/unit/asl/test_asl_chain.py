"""Chain links states in order and refuses ambiguous or duplicate links."""

from __future__ import annotations

import pytest

from api.workflow.asl import (
    AslValidationError,
    Chain,
    Choice,
    ChoiceRule,
    Fail,
    IsPresent,
    Pass,
    Succeed,
    Task,
    Wait,
)

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def test_chain_links_next_and_ends_the_last_state() -> None:
    chain = Chain([Pass("A"), Task("B", resource=ARN), Wait("C", seconds=1)])

    assert chain.start == "A"
    assert [state.to_dict() for state in chain] == [
        {"Type": "Pass", "Next": "B"},
        {"Type": "Task", "Resource": ARN, "Next": "C"},
        {"Type": "Wait", "Seconds": 1, "End": True},
    ]


def test_chain_keeps_an_explicit_next_on_the_last_state() -> None:
    chain = Chain([Pass("A"), Wait("Loop", seconds=1, next="A")])

    assert chain.states[-1].to_dict() == {"Type": "Wait", "Seconds": 1, "Next": "A"}


def test_chain_may_end_with_a_terminal_or_choice_state() -> None:
    choice = Choice("C", choices=[ChoiceRule(IsPresent("$.x"), next="Done")], default="Done")
    chain = Chain([Pass("A"), choice], extra=[Succeed("Done")])

    assert [state.name for state in chain] == ["A", "C", "Done"]
    assert chain.states[0].to_dict() == {"Type": "Pass", "Next": "C"}


def test_chain_does_not_modify_the_states_it_was_given() -> None:
    first = Pass("A")
    Chain([first, Succeed("B")])

    assert first.next is None


def test_chain_rejects_duplicate_state() -> None:
    with pytest.raises(AslValidationError, match="duplicate state name 'A'"):
        Chain([Pass("A"), Pass("A")])


def test_chain_rejects_duplicate_between_states_and_extra() -> None:
    with pytest.raises(AslValidationError, match="duplicate state name 'Done'"):
        Chain([Pass("A"), Succeed("Done")], extra=[Fail("Done")])


@pytest.mark.parametrize("terminal", [Succeed("T"), Fail("T"), Choice("T", default="B")])
def test_chain_rejects_a_state_without_next_in_the_middle(terminal: Succeed | Fail | Choice) -> None:
    with pytest.raises(AslValidationError, match="can only end a Chain"):
        Chain([terminal, Pass("B")])


def test_chain_rejects_a_pre_linked_state_in_the_middle() -> None:
    with pytest.raises(AslValidationError, match="already has Next/End"):
        Chain([Pass("A", next="Z"), Pass("B")])


def test_chain_rejects_no_states() -> None:
    with pytest.raises(AslValidationError, match="at least one state"):
        Chain([])
