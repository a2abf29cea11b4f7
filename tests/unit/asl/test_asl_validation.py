"""StateMachine validation: each graph rule, and all problems reported together."""

from __future__ import annotations

import pytest

from api.workflow.asl import (
    AslValidationError,
    Catcher,
    Chain,
    Choice,
    ChoiceRule,
    Graph,
    IsPresent,
    Map,
    Parallel,
    Pass,
    State,
    StateMachine,
    Succeed,
    Task,
)

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def problems_of(start: str, states: list[State]) -> tuple[str, ...]:
    with pytest.raises(AslValidationError) as caught:
        StateMachine(start, states).to_dict()
    return caught.value.problems


def test_valid_machine_passes() -> None:
    StateMachine("A", [Pass("A", next="B"), Succeed("B")]).validate()


def test_duplicate_name_at_top_level() -> None:
    assert problems_of("A", [Pass("A", next="A"), Succeed("A")]) == (
        "state name 'A' is used 2 times; names must be unique across the machine",
    )


def test_duplicate_name_inside_a_parallel_branch() -> None:
    parallel = Parallel("P", branches=[Chain([Pass("Work")]), Chain([Pass("Work")])], end=True)

    assert problems_of("P", [parallel]) == (
        "state name 'Work' is used 2 times; names must be unique across the machine",
    )


def test_duplicate_name_between_top_level_and_map_processor() -> None:
    map_state = Map("M", processor=Chain([Pass("Done")]), next="Done")

    problems = problems_of("M", [map_state, Succeed("Done")])

    assert any("'Done' is used 2 times" in problem for problem in problems)


def test_next_to_a_missing_state() -> None:
    assert problems_of("A", [Pass("A", next="Nowhere")]) == (
        "machine: 'A' Next -> 'Nowhere', which is not a state in this scope",
        "machine: no reachable terminal state (End: true, Succeed or Fail)",
    )


def test_choice_default_and_rule_targets_must_exist() -> None:
    choice = Choice("C", choices=[ChoiceRule(IsPresent("$.x"), next="Gone")], default="Lost")

    problems = problems_of("C", [choice])

    assert "machine: 'C' Choices[0].Next -> 'Gone', which is not a state in this scope" in problems
    assert "machine: 'C' Default -> 'Lost', which is not a state in this scope" in problems


def test_catch_next_must_exist() -> None:
    task = Task("T", resource=ARN, catch=[Catcher(["States.ALL"], next="Handler")], end=True)

    assert problems_of("T", [task]) == (
        "machine: 'T' Catch[0].Next -> 'Handler', which is not a state in this scope",
    )


def test_next_into_another_scope_is_rejected() -> None:
    parallel = Parallel("P", branches=[Chain([Pass("Inner", next="Outer")], extra=[])], next="Outer")

    problems = problems_of("P", [parallel, Succeed("Outer")])

    assert problems == (
        "machine > 'P' Branches[0]: 'Inner' Next -> 'Outer', which is not a state in this scope",
        "machine > 'P' Branches[0]: no reachable terminal state (End: true, Succeed or Fail)",
    )


def test_name_longer_than_80_characters() -> None:
    name = "N" * 81

    problems = problems_of(name, [Succeed(name)])

    assert problems == (f"machine: state name {'N' * 20!r}... is 81 characters (max 80)",)


def test_name_of_exactly_80_characters_is_fine() -> None:
    StateMachine("N" * 80, [Succeed("N" * 80)]).validate()


def test_name_with_control_characters() -> None:
    assert problems_of("A\nB", [Succeed("A\nB")]) == (
        "machine: state name 'A\\nB' contains control characters",
    )


def test_name_with_surrounding_whitespace() -> None:
    assert problems_of(" A", [Succeed(" A")]) == ("machine: state name ' A' starts or ends with whitespace",)


def test_empty_name() -> None:
    assert problems_of("", [Succeed("")]) == ("machine: a state name is empty",)


def test_orphan_state() -> None:
    assert problems_of("A", [Succeed("A"), Pass("Orphan", end=True)]) == (
        "machine: states not reachable from StartAt 'A': ['Orphan']",
    )


def test_no_terminal_state() -> None:
    assert problems_of("A", [Pass("A", next="B"), Pass("B", next="A")]) == (
        "machine: no reachable terminal state (End: true, Succeed or Fail)",
    )


def test_choice_needs_at_least_one_choice() -> None:
    problems = problems_of("C", [Choice("C", default="D"), Succeed("D")])

    assert problems == ("machine: Choice 'C' has no choices",)


def test_parallel_needs_a_branch() -> None:
    assert problems_of("P", [Parallel("P", end=True)]) == ("machine: Parallel 'P' has no branches",)


def test_flow_state_without_next_or_end() -> None:
    assert problems_of("A", [Pass("A"), Succeed("B")]) == (
        "machine: 'A' has neither Next nor End",
        "machine: states not reachable from StartAt 'A': ['B']",
        "machine: no reachable terminal state (End: true, Succeed or Fail)",
    )


def test_start_at_must_exist() -> None:
    assert problems_of("Missing", [Succeed("A")]) == (
        "machine: StartAt 'Missing' is not a state in this scope",
    )


def test_empty_machine() -> None:
    assert problems_of("A", []) == ("machine: has no states",)


def test_problems_inside_a_map_processor_are_labelled_with_their_scope() -> None:
    map_state = Map("M", processor=Graph("X", [Pass("Y", end=True)]), end=True)

    assert problems_of("M", [map_state]) == (
        "machine > 'M' ItemProcessor: StartAt 'X' is not a state in this scope",
    )


def test_all_problems_are_listed_in_one_error() -> None:
    states: list[State] = [
        Pass("A", next="Missing"),
        Choice("C"),
        Pass("A", end=True),
    ]

    with pytest.raises(AslValidationError) as caught:
        StateMachine("A", states).to_json()

    message = str(caught.value)
    assert message.startswith("invalid state machine (")
    assert "'A' is used 2 times" in message
    assert "Next -> 'Missing'" in message
    assert "Choice 'C' has no choices" in message
    assert len(caught.value.problems) >= 4
