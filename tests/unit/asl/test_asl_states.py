"""Golden tests: each state type serialises to the ASL the AWS spec describes (expected JSON by hand)."""

from __future__ import annotations

from api.workflow.asl import (
    DISCARD,
    LAMBDA_INVOKE,
    And,
    BooleanEquals,
    Catcher,
    Chain,
    Choice,
    ChoiceRule,
    Fail,
    Graph,
    Intrinsic,
    IsNull,
    IsPresent,
    JsonPath,
    Map,
    Not,
    NumericEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    NumericLessThan,
    NumericLessThanEquals,
    Or,
    Parallel,
    Pass,
    Retrier,
    StringEquals,
    StringEqualsPath,
    StringMatches,
    Succeed,
    Task,
    Wait,
    lambda_invoke_parameters,
)

ARN = "arn:aws:lambda:us-east-1:123456789012:function:medialens-faces"


class TransientError(Exception):
    pass


def test_task_with_function_arn() -> None:
    assert Task("Run", resource=ARN, end=True).to_dict() == {
        "Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:medialens-faces",
        "End": True,
    }


def test_task_with_lambda_invoke_and_every_field() -> None:
    task = Task(
        "Run Faces",
        comment="detect faces",
        resource=LAMBDA_INVOKE,
        input_path="$.Input",
        parameters=lambda_invoke_parameters(ARN, {"AssetId": JsonPath("$.AssetId"), "Mode": "fast"}),
        result_selector={"Status": JsonPath("$.Payload.Status")},
        result_path="$.Result",
        output_path="$.Result",
        timeout_seconds=300,
        heartbeat_seconds=60,
        retry=[Retrier([TransientError], interval_seconds=2, max_attempts=4, backoff_rate=1.5)],
        catch=[Catcher(["States.ALL"], next="Handle", result_path="$.Error")],
        next="After",
    )

    assert task.to_dict() == {
        "Type": "Task",
        "Comment": "detect faces",
        "Resource": "arn:aws:states:::lambda:invoke",
        "InputPath": "$.Input",
        "Parameters": {
            "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:medialens-faces",
            "Payload": {"AssetId.$": "$.AssetId", "Mode": "fast"},
        },
        "ResultSelector": {"Status.$": "$.Payload.Status"},
        "ResultPath": "$.Result",
        "OutputPath": "$.Result",
        "TimeoutSeconds": 300,
        "HeartbeatSeconds": 60,
        "Retry": [
            {"ErrorEquals": ["TransientError"], "IntervalSeconds": 2, "MaxAttempts": 4, "BackoffRate": 1.5}
        ],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle", "ResultPath": "$.Error"}],
        "Next": "After",
    }


def test_task_lambda_invoke_defaults_to_whole_input_and_takes_timeout_paths() -> None:
    task = Task(
        "Run",
        resource=LAMBDA_INVOKE,
        parameters=lambda_invoke_parameters(ARN),
        timeout_seconds_path="$.Timeout",
        heartbeat_seconds_path="$.Heartbeat",
        end=True,
    )

    assert task.to_dict() == {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {
            "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:medialens-faces",
            "Payload.$": "$",
        },
        "TimeoutSecondsPath": "$.Timeout",
        "HeartbeatSecondsPath": "$.Heartbeat",
        "End": True,
    }


def test_pass_with_fixed_result() -> None:
    state = Pass("Seed", result={"Count": 0, "Items": [1, "two", None]}, result_path="$.Loop", next="Go")

    assert state.to_dict() == {
        "Type": "Pass",
        "Result": {"Count": 0, "Items": [1, "two", None]},
        "ResultPath": "$.Loop",
        "Next": "Go",
    }


def test_pass_with_parameters_and_null_paths() -> None:
    state = Pass(
        "Shape",
        input_path=DISCARD,
        parameters={"Id": JsonPath("$$.Execution.Id"), "Static": {"Nested": True}},
        result_path=DISCARD,
        output_path=DISCARD,
        end=True,
    )

    assert state.to_dict() == {
        "Type": "Pass",
        "InputPath": None,
        "Parameters": {"Id.$": "$$.Execution.Id", "Static": {"Nested": True}},
        "ResultPath": None,
        "OutputPath": None,
        "End": True,
    }


def test_pass_result_may_be_null() -> None:
    assert Pass("Nothing", result=None, end=True).to_dict() == {"Type": "Pass", "Result": None, "End": True}


def test_bare_pass() -> None:
    assert Pass("Noop", next="B").to_dict() == {"Type": "Pass", "Next": "B"}


def test_wait_seconds() -> None:
    assert Wait("Pause", seconds=10, next="Poll").to_dict() == {"Type": "Wait", "Seconds": 10, "Next": "Poll"}


def test_wait_seconds_path() -> None:
    assert Wait("Pause", seconds_path="$.Poll.Wait", input_path="$", output_path="$", end=True).to_dict() == {
        "Type": "Wait",
        "InputPath": "$",
        "SecondsPath": "$.Poll.Wait",
        "OutputPath": "$",
        "End": True,
    }


def test_wait_timestamp_and_timestamp_path() -> None:
    assert Wait("Until", timestamp="2026-01-01T00:00:00Z", end=True).to_dict() == {
        "Type": "Wait",
        "Timestamp": "2026-01-01T00:00:00Z",
        "End": True,
    }
    assert Wait("Until Path", timestamp_path="$.At", next="X").to_dict() == {
        "Type": "Wait",
        "TimestampPath": "$.At",
        "Next": "X",
    }


def test_succeed() -> None:
    assert Succeed("Done").to_dict() == {"Type": "Succeed"}
    assert Succeed("Done", comment="ok", output_path="$.Out").to_dict() == {
        "Type": "Succeed",
        "Comment": "ok",
        "OutputPath": "$.Out",
    }


def test_fail() -> None:
    assert Fail("Broken", error="OperatorFailed", cause="faces crashed").to_dict() == {
        "Type": "Fail",
        "Error": "OperatorFailed",
        "Cause": "faces crashed",
    }
    assert Fail("Bare").to_dict() == {"Type": "Fail"}


def test_choice_with_every_rule_kind() -> None:
    choice = Choice(
        "Route",
        input_path="$.In",
        choices=[
            ChoiceRule(StringEquals("$.Status", "Complete"), next="Done"),
            ChoiceRule(StringEqualsPath("$.Status", "$.Expected"), next="Done"),
            ChoiceRule(NumericGreaterThan("$.Attempts", 5), next="TooMany"),
            ChoiceRule(NumericGreaterThanEquals("$.Score", 0.5), next="Keep"),
            ChoiceRule(BooleanEquals("$.Enabled", False), next="Skip"),
            ChoiceRule(IsPresent("$.Error"), next="Failed"),
            ChoiceRule(
                And(NumericLessThan("$.N", 10), NumericLessThanEquals("$.M", 3), NumericEquals("$.K", 1)),
                next="Small",
            ),
            ChoiceRule(Or(StringMatches("$.Key", "*.mp4"), IsNull("$.Key", False)), next="Video"),
            ChoiceRule(Not(IsPresent("$.Media")), next="NoMedia"),
        ],
        default="Wait",
        output_path="$.Out",
    )

    assert choice.to_dict() == {
        "Type": "Choice",
        "InputPath": "$.In",
        "Choices": [
            {"Variable": "$.Status", "StringEquals": "Complete", "Next": "Done"},
            {"Variable": "$.Status", "StringEqualsPath": "$.Expected", "Next": "Done"},
            {"Variable": "$.Attempts", "NumericGreaterThan": 5, "Next": "TooMany"},
            {"Variable": "$.Score", "NumericGreaterThanEquals": 0.5, "Next": "Keep"},
            {"Variable": "$.Enabled", "BooleanEquals": False, "Next": "Skip"},
            {"Variable": "$.Error", "IsPresent": True, "Next": "Failed"},
            {
                "And": [
                    {"Variable": "$.N", "NumericLessThan": 10},
                    {"Variable": "$.M", "NumericLessThanEquals": 3},
                    {"Variable": "$.K", "NumericEquals": 1},
                ],
                "Next": "Small",
            },
            {
                "Or": [
                    {"Variable": "$.Key", "StringMatches": "*.mp4"},
                    {"Variable": "$.Key", "IsNull": False},
                ],
                "Next": "Video",
            },
            {"Not": {"Variable": "$.Media", "IsPresent": True}, "Next": "NoMedia"},
        ],
        "Default": "Wait",
        "OutputPath": "$.Out",
    }


def test_parallel_with_branches_and_policies() -> None:
    parallel = Parallel(
        "Stage",
        branches=[
            Chain([Pass("A1"), Succeed("A2")]),
            Graph("B1", [Task("B1", resource=ARN, end=True)]),
        ],
        parameters={"AssetId": JsonPath("$.AssetId")},
        result_selector={"First": JsonPath("$[0]")},
        result_path="$.Stage",
        retry=[Retrier(["States.BranchFailed"], 1, 2, 2.0)],
        catch=[Catcher(["States.ALL"], next="Failed")],
        next="Next Stage",
    )

    assert parallel.to_dict() == {
        "Type": "Parallel",
        "Branches": [
            {
                "StartAt": "A1",
                "States": {"A1": {"Type": "Pass", "Next": "A2"}, "A2": {"Type": "Succeed"}},
            },
            {
                "StartAt": "B1",
                "States": {
                    "B1": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:medialens-faces",
                        "End": True,
                    }
                },
            },
        ],
        "Parameters": {"AssetId.$": "$.AssetId"},
        "ResultSelector": {"First.$": "$[0]"},
        "ResultPath": "$.Stage",
        "Retry": [
            {
                "ErrorEquals": ["States.BranchFailed"],
                "IntervalSeconds": 1,
                "MaxAttempts": 2,
                "BackoffRate": 2.0,
            }
        ],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
        "Next": "Next Stage",
    }


def test_map_with_inline_item_processor() -> None:
    state = Map(
        "Chunks",
        items_path="$.Chunks",
        item_selector={"Chunk": JsonPath("$$.Map.Item.Value"), "Index": JsonPath("$$.Map.Item.Index")},
        max_concurrency=8,
        processor=Chain([Task("Process", resource=ARN)]),
        result_selector={"Count": Intrinsic("States.ArrayLength($)")},
        result_path="$.Processed",
        end=True,
    )

    assert state.to_dict() == {
        "Type": "Map",
        "ItemsPath": "$.Chunks",
        "ItemSelector": {"Chunk.$": "$$.Map.Item.Value", "Index.$": "$$.Map.Item.Index"},
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "Process",
            "States": {
                "Process": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:medialens-faces",
                    "End": True,
                }
            },
        },
        "MaxConcurrency": 8,
        "ResultSelector": {"Count.$": "States.ArrayLength($)"},
        "ResultPath": "$.Processed",
        "End": True,
    }


def test_map_with_legacy_iterator() -> None:
    state = Map(
        "Old Map",
        items_path="$.Items",
        item_selector={"Item": JsonPath("$$.Map.Item.Value")},
        processor=Chain([Pass("Each")]),
        legacy_iterator=True,
        next="After",
    )

    assert state.to_dict() == {
        "Type": "Map",
        "ItemsPath": "$.Items",
        "Parameters": {"Item.$": "$$.Map.Item.Value"},
        "Iterator": {"StartAt": "Each", "States": {"Each": {"Type": "Pass", "End": True}}},
        "Next": "After",
    }


def test_retrier_with_every_field_and_exception_classes() -> None:
    retrier = Retrier(
        [TransientError, "Lambda.ServiceException"], 3, 6, 2.5, max_delay_seconds=120, jitter_strategy="FULL"
    )

    assert retrier.to_dict() == {
        "ErrorEquals": ["TransientError", "Lambda.ServiceException"],
        "IntervalSeconds": 3,
        "MaxAttempts": 6,
        "BackoffRate": 2.5,
        "MaxDelaySeconds": 120,
        "JitterStrategy": "FULL",
    }


def test_catcher_without_result_path() -> None:
    assert Catcher([TransientError], next="Recover").to_dict() == {
        "ErrorEquals": ["TransientError"],
        "Next": "Recover",
    }
