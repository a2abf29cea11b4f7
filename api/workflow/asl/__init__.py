"""Amazon States Language as typed Python objects.

Build states, link them with ``Chain`` (or ``next=`` names), wrap them in a ``StateMachine`` and
call ``to_json()``; the machine is validated first and every problem is reported at once::

    machine = StateMachine.from_chain(
        Chain([
            Task("Analyse", resource=LAMBDA_INVOKE,
                 parameters=lambda_invoke_parameters(arn, {"AssetId": JsonPath("$.AssetId")}),
                 retry=[Retrier([TransientError], interval_seconds=2)]),
            Succeed("Done"),
        ]),
        timeout_seconds=3600,
    )

Classic JSONPath only: no JSONata, no filter expressions (the local runtime cannot run them).
"""

from api.workflow.asl.base import DISCARD, FlowState, State
from api.workflow.asl.choice import Choice, ChoiceRule
from api.workflow.asl.conditions import (
    And,
    BooleanEquals,
    Condition,
    IsNull,
    IsPresent,
    Not,
    NumericEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    NumericLessThan,
    NumericLessThanEquals,
    Or,
    StringEquals,
    StringEqualsPath,
    StringMatches,
)
from api.workflow.asl.errors import AslError, AslValidationError
from api.workflow.asl.flow import Fail, Pass, Succeed, Wait
from api.workflow.asl.graph import Chain, Graph
from api.workflow.asl.machine import StateMachine
from api.workflow.asl.parallel import Map, Parallel
from api.workflow.asl.paths import Intrinsic, JsonPath
from api.workflow.asl.payload import JsonObject, JsonValue, Template
from api.workflow.asl.retry import STATES_ALL, Catcher, Retrier
from api.workflow.asl.task import LAMBDA_INVOKE, Task, lambda_invoke_parameters

__all__ = [
    "DISCARD",
    "LAMBDA_INVOKE",
    "STATES_ALL",
    "And",
    "AslError",
    "AslValidationError",
    "BooleanEquals",
    "Catcher",
    "Chain",
    "Choice",
    "ChoiceRule",
    "Condition",
    "Fail",
    "FlowState",
    "Graph",
    "Intrinsic",
    "IsNull",
    "IsPresent",
    "JsonObject",
    "JsonPath",
    "JsonValue",
    "Map",
    "Not",
    "NumericEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "Or",
    "Parallel",
    "Pass",
    "Retrier",
    "State",
    "StateMachine",
    "StringEquals",
    "StringEqualsPath",
    "StringMatches",
    "Succeed",
    "Task",
    "Template",
    "Wait",
    "lambda_invoke_parameters",
]
