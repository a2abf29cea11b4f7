"""Rules a single state (or retrier/catcher/condition) enforces when it is built."""

from __future__ import annotations

from typing import Any

import pytest

from api.workflow.asl import (
    And,
    AslValidationError,
    Catcher,
    Chain,
    Choice,
    Map,
    Not,
    NumericGreaterThan,
    Parallel,
    Pass,
    Retrier,
    StringEquals,
    Task,
    Wait,
)

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def test_state_rejects_both_next_and_end() -> None:
    with pytest.raises(AslValidationError, match="both Next and End"):
        Pass("A", next="B", end=True)


def test_state_rejects_unknown_fields() -> None:
    # The dataclass fields are the whitelist: a typo is an error, not a dropped key.
    kwargs: dict[str, Any] = {"resoure": ARN}
    with pytest.raises(TypeError):
        Task("T", **kwargs)


def test_only_the_name_is_positional() -> None:
    args: list[Any] = ["A", "B"]
    with pytest.raises(TypeError):
        Pass(*args)


def test_states_are_immutable() -> None:
    state = Pass("A", end=True)
    with pytest.raises(AttributeError):
        state.name = "B"  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"seconds": 1, "seconds_path": "$.s"},
        {"timestamp": "2026-01-01T00:00:00Z", "timestamp_path": "$.t"},
    ],
)
def test_wait_needs_exactly_one_duration(kwargs: dict[str, Any]) -> None:
    with pytest.raises(AslValidationError, match="exactly one of"):
        Wait("W", end=True, **kwargs)


@pytest.mark.parametrize("seconds", [-1, True, 1.5])
def test_wait_seconds_must_be_a_non_negative_integer(seconds: Any) -> None:
    with pytest.raises(AslValidationError, match="Seconds must be an integer"):
        Wait("W", seconds=seconds, end=True)


def test_wait_zero_seconds_is_allowed() -> None:
    assert Wait("W", seconds=0, end=True).to_dict() == {"Type": "Wait", "Seconds": 0, "End": True}


def test_task_resource_must_be_an_arn() -> None:
    with pytest.raises(AslValidationError, match="Resource must be an ARN"):
        Task("T", resource="my-function", end=True)


@pytest.mark.parametrize("field", ["timeout_seconds", "heartbeat_seconds"])
@pytest.mark.parametrize("value", [0, -5, True])
def test_task_seconds_must_be_positive_integers(field: str, value: Any) -> None:
    with pytest.raises(AslValidationError, match="must be a positive integer"):
        Task("T", resource=ARN, end=True, **{field: value})


def test_task_heartbeat_must_be_shorter_than_timeout() -> None:
    with pytest.raises(AslValidationError, match="HeartbeatSeconds must be smaller"):
        Task("T", resource=ARN, timeout_seconds=60, heartbeat_seconds=60, end=True)


def test_task_timeout_and_timeout_path_are_exclusive() -> None:
    with pytest.raises(AslValidationError, match="not both"):
        Task("T", resource=ARN, timeout_seconds=60, timeout_seconds_path="$.t", end=True)


def test_states_all_retrier_must_come_last() -> None:
    with pytest.raises(AslValidationError, match=r"Retry\[0\] uses States.ALL but is not the last"):
        Task("T", resource=ARN, retry=[Retrier(["States.ALL"]), Retrier(["Transient"])], end=True)


def test_states_all_catcher_must_come_last_in_parallel_and_map() -> None:
    catch = [Catcher(["States.ALL"], next="X"), Catcher(["Other"], next="Y")]
    with pytest.raises(AslValidationError, match=r"Catch\[0\]"):
        Parallel("P", branches=[Chain([Pass("A")])], catch=catch, end=True)
    with pytest.raises(AslValidationError, match=r"Catch\[0\]"):
        Map("M", processor=Chain([Pass("B")]), catch=catch, end=True)


def test_states_all_must_stand_alone_in_error_equals() -> None:
    with pytest.raises(AslValidationError, match="only name"):
        Retrier(["States.ALL", "States.Timeout"])
    with pytest.raises(AslValidationError, match="only name"):
        Catcher(["Transient", "States.ALL"], next="X")


def test_error_equals_must_not_be_empty_or_repeat() -> None:
    with pytest.raises(AslValidationError, match="at least one"):
        Retrier([])
    with pytest.raises(AslValidationError, match="repeats"):
        Catcher(["A", "A"], next="X")


def test_retrier_reports_every_bad_number() -> None:
    with pytest.raises(AslValidationError) as caught:
        Retrier(["E"], interval_seconds=0, max_attempts=-1, backoff_rate=0.5, max_delay_seconds=0)

    assert len(caught.value.problems) == 4


def test_catcher_needs_a_next_name() -> None:
    with pytest.raises(AslValidationError, match="Catcher Next"):
        Catcher(["E"], next="")


def test_map_max_concurrency_must_be_a_non_negative_integer() -> None:
    with pytest.raises(AslValidationError, match="MaxConcurrency"):
        Map("M", processor=Chain([Pass("A")]), max_concurrency=-1, end=True)


def test_comparison_value_types_are_checked() -> None:
    with pytest.raises(AslValidationError, match="number"):
        NumericGreaterThan("$.n", "5")  # type: ignore[arg-type]
    with pytest.raises(AslValidationError, match="number"):
        NumericGreaterThan("$.n", True)
    with pytest.raises(AslValidationError, match="string"):
        StringEquals("$.s", 5)  # type: ignore[arg-type]


def test_comparison_variable_must_be_a_json_path() -> None:
    with pytest.raises(AslValidationError, match="must start with"):
        StringEquals("Status", "x")
    with pytest.raises(AslValidationError, match="filter"):
        StringEquals("$.items[?(@.x)]", "x")


def test_and_needs_conditions_and_not_needs_a_condition() -> None:
    with pytest.raises(AslValidationError, match="And needs at least one"):
        And()
    with pytest.raises(AslValidationError, match="Not takes conditions"):
        Not("$.x")  # type: ignore[arg-type]


def test_choice_rules_must_be_choice_rules() -> None:
    with pytest.raises(AslValidationError, match="must be ChoiceRule"):
        Choice("C", choices=[StringEquals("$.a", "b")], default="D")  # type: ignore[list-item]
