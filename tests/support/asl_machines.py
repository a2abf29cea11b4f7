"""Representative state machines built with the ASL library, shared by the validator and moto tests."""

from __future__ import annotations

from api.workflow.asl import (
    DISCARD,
    LAMBDA_INVOKE,
    BooleanEquals,
    Catcher,
    Chain,
    Choice,
    ChoiceRule,
    Fail,
    Intrinsic,
    JsonPath,
    Map,
    NumericLessThan,
    Parallel,
    Pass,
    Retrier,
    StateMachine,
    Succeed,
    Task,
    Wait,
    lambda_invoke_parameters,
)

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:medialens-{}"


class TransientOperatorError(Exception):
    """Stands in for an operator's retryable error class (its name is the Lambda errorType)."""


def _operator_branch(operator: str) -> Chain:
    run = Task(
        f"{operator} Run",
        resource=LAMBDA_INVOKE,
        parameters=lambda_invoke_parameters(
            FUNCTION.format(operator),
            {"AssetId": JsonPath("$.AssetId"), "ExecutionId": JsonPath("$$.Execution.Id")},
        ),
        result_selector={"Status": JsonPath("$.Payload.Status"), "Job": JsonPath("$.Payload.Job")},
        result_path="$.Operator",
        timeout_seconds=900,
        retry=[
            Retrier([TransientOperatorError, "Lambda.TooManyRequestsException"], 2, 5, 2.0, 60),
        ],
        catch=[Catcher(["States.ALL"], next=f"{operator} Failed", result_path="$.Error")],
    )
    status = Task(
        f"{operator} Status",
        resource=FUNCTION.format(f"{operator}-status"),
        result_path="$.Operator",
        retry=[Retrier(["States.TaskFailed"], interval_seconds=1, max_attempts=2)],
        catch=[Catcher(["States.ALL"], next=f"{operator} Failed", result_path="$.Error")],
    )
    done = Choice(
        f"{operator} Done?",
        choices=[ChoiceRule(BooleanEquals("$.Operator.Done", True), next=f"{operator} Complete")],
        default=f"{operator} Wait",
    )
    wait = Wait(f"{operator} Wait", seconds_path="$.Operator.WaitSeconds", next=f"{operator} Status")
    return Chain(
        [run, status, done],
        extra=[
            wait,
            Succeed(f"{operator} Complete"),
            Fail(f"{operator} Failed", error="OperatorFailed", cause="the operator reported an error"),
        ],
    )


def representative_machine() -> StateMachine:
    """Parallel of Task branches with Retry/Catch, a Choice/Wait(SecondsPath) poll loop, and a Map."""
    chunks = Map(
        "Process Chunks",
        items_path="$.Chunks",
        item_selector={"Chunk": JsonPath("$$.Map.Item.Value"), "AssetId": JsonPath("$.AssetId")},
        max_concurrency=4,
        processor=Chain([Task("Process Chunk", resource=FUNCTION.format("chunk"))]),
        result_path="$.ChunkResults",
    )
    stage = Parallel(
        "Stage Analysis",
        branches=[_operator_branch("Faces"), _operator_branch("Labels")],
        result_path=DISCARD,
        catch=[Catcher(["States.ALL"], next="Workflow Failed", result_path="$.Error")],
    )
    return StateMachine.from_chain(
        Chain(
            [
                Pass("Prepare", parameters={"AssetId": JsonPath("$.AssetId"), "Chunks": [1, 2, 3]}),
                chunks,
                stage,
            ],
            extra=[Fail("Workflow Failed", error="StageFailed", cause="a stage failed")],
        ),
        comment="Medialens representative workflow",
        timeout_seconds=3600,
    )


def counting_loop_machine(*, rounds: int, wait_seconds: int) -> StateMachine:
    """No Lambdas: count to ``rounds`` in a Choice/Wait loop, then fan out in a Parallel and succeed."""
    start = Pass("Start", result={"Count": 0, "WaitSeconds": wait_seconds}, result_path="$.Loop")
    count = Pass(
        "Count",
        parameters={
            "Count": Intrinsic("States.MathAdd($.Loop.Count, 1)"),
            "WaitSeconds": JsonPath("$.Loop.WaitSeconds"),
        },
        result_path="$.Loop",
    )
    more = Choice(
        "More?",
        choices=[ChoiceRule(NumericLessThan("$.Loop.Count", rounds), next="Pause")],
        default="Fan Out",
    )
    pause = Wait("Pause", seconds_path="$.Loop.WaitSeconds", next="Count")
    fan_out = Parallel(
        "Fan Out",
        branches=[
            Chain([Pass("Left", parameters={"Side": "left", "Count": JsonPath("$.Loop.Count")})]),
            Chain([Pass("Right", parameters={"Side": "right", "Name": JsonPath("$.Name")})]),
        ],
        # An object, not the raw branch list: machines end in an object (see ARCHITECTURE.md).
        result_selector={"Left": JsonPath("$[0]"), "Right": JsonPath("$[1]")},
        result_path="$.Sides",
        next="Finish",
    )
    finish = Succeed("Finish")
    return StateMachine.from_chain(
        Chain([start, count, more], extra=[pause, fan_out, finish]),
        comment="counting loop without Lambdas",
        timeout_seconds=300,
    )


def map_machine() -> StateMachine:
    """No Lambdas: a Map whose ItemSelector combines each item with a value from the input."""
    each = Map(
        "Each Chunk",
        items_path="$.Chunks",
        item_selector={
            "AssetId": JsonPath("$.AssetId"),
            "Chunk": JsonPath("$$.Map.Item.Value"),
            "Index": JsonPath("$$.Map.Item.Index"),
        },
        max_concurrency=2,
        processor=Chain([Pass("Tag Chunk")]),
        result_path="$.Results",
    )
    return StateMachine.from_chain(Chain([each, Succeed("Mapped")]))
