"""JsonPath / Intrinsic values and the ``.$`` keys they produce in payload templates."""

from __future__ import annotations

import pytest

from api.workflow.asl import AslValidationError, Intrinsic, JsonPath, Pass, Task, Template, Wait
from api.workflow.asl.payload import render_literal, render_template

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def test_template_writes_dollar_keys_at_any_depth() -> None:
    template: dict[str, Template] = {
        "AssetId": JsonPath("$.AssetId"),
        "Media": {"Video": {"S3Key": JsonPath("$.Input.Media.Video.S3Key"), "Bucket": "b"}},
        "Steps": [{"Sum": Intrinsic("States.MathAdd($.a, $.a)")}, 3, [True, None]],
        "Token": JsonPath("$$.Task.Token"),
    }

    assert render_template(template, what="Parameters") == {
        "AssetId.$": "$.AssetId",
        "Media": {"Video": {"S3Key.$": "$.Input.Media.Video.S3Key", "Bucket": "b"}},
        "Steps": [{"Sum.$": "States.MathAdd($.a, $.a)"}, 3, [True, None]],
        "Token.$": "$$.Task.Token",
    }


@pytest.mark.parametrize(
    "path",
    ["$", "$.a", "$.a.b[0]", "$['key with space']", "$$", "$$.Execution.Input", "$.items[*].id", "$..id"],
)
def test_json_path_accepts_classic_jsonpath(path: str) -> None:
    assert JsonPath(path).path == path


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("$.items[?(@.size > 10)]", "filter expressions"),
        ("$.items[(@.length-1)]", "script expressions"),
        ("{% $states.input.a %}", "JSONata"),
        ("a.b", "must start with"),
        ("", "non-empty"),
    ],
)
def test_json_path_rejects_what_the_local_runtime_cannot_run(path: str, fragment: str) -> None:
    with pytest.raises(AslValidationError, match=fragment):
        JsonPath(path)


def test_intrinsic_must_be_a_states_function_call() -> None:
    assert str(Intrinsic("States.Format('{}', $.Name)")) == "States.Format('{}', $.Name)"
    with pytest.raises(AslValidationError, match=r"States\.Name\(arguments\)"):
        Intrinsic("MathAdd(1, 2)")
    with pytest.raises(AslValidationError, match="filter"):
        Intrinsic("States.ArrayLength($.items[?(@.ok)])")


def test_hand_written_dollar_key_is_rejected() -> None:
    with pytest.raises(AslValidationError, match="JsonPath"):
        Task("T", resource=ARN, parameters={"AssetId.$": "$.AssetId"}, end=True)


def test_dynamic_value_in_a_list_is_rejected_with_its_location() -> None:
    with pytest.raises(AslValidationError, match=r"Parameters\.Items\[1\].*States\.Array"):
        Pass("P", parameters={"Items": [1, JsonPath("$.x")]}, end=True)


def test_every_template_problem_is_reported_at_once() -> None:
    with pytest.raises(AslValidationError) as caught:
        render_template({"a.$": "$.a", "b": [JsonPath("$.b")], "c": float("nan"), "d": b"x"}, what="P")

    assert len(caught.value.problems) == 4


def test_template_must_be_an_object() -> None:
    with pytest.raises(AslValidationError, match="must be an object"):
        render_template([1, 2], what="Parameters")  # type: ignore[arg-type]


def test_static_result_cannot_hold_a_path() -> None:
    with pytest.raises(AslValidationError, match="static JSON"):
        Pass("P", result={"a": JsonPath("$.a")}, end=True)
    with pytest.raises(AslValidationError, match="static JSON"):
        render_literal(JsonPath("$.a"), what="Result")


def test_reference_path_fields_reject_multi_node_paths() -> None:
    with pytest.raises(AslValidationError, match="reference path"):
        Wait("W", seconds_path="$..wait", end=True)
    with pytest.raises(AslValidationError, match="reference path"):
        Task("T", resource=ARN, result_path="$.a[*]", end=True)


def test_result_path_cannot_write_to_the_context_object() -> None:
    with pytest.raises(AslValidationError, match="context object"):
        Task("T", resource=ARN, result_path="$$.Execution", end=True)


def test_path_fields_accept_json_path_objects() -> None:
    assert Wait("W", seconds_path=JsonPath("$.Wait"), end=True).to_dict()["SecondsPath"] == "$.Wait"


def test_built_state_is_isolated_from_later_changes_to_the_callers_dict() -> None:
    parameters = {"Mode": "fast"}
    state = Pass("P", parameters=parameters, end=True)
    parameters["Mode"] = "slow"

    assert state.to_dict()["Parameters"] == {"Mode": "fast"}
