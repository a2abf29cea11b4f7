"""The generated ASL of a one-stage, one-Sync-operator workflow, written out by hand.

The filter is a Pass over the stage plan Prepare media wrote (no filter Lambda).
"""

from __future__ import annotations

import json
from typing import Any

from api.workflow.generator import StepFunctionArns, WorkflowGenerator
from api.workflow.models import Operation, Stage, Workflow

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
ARNS = StepFunctionArns(FN + "filter", FN + "failed", FN + "stage", FN + "done", FN + "fail", FN + "media")
RETRY = [
    {
        "ErrorEquals": [
            "TransientError",
            "DataplaneUnavailableError",
            "Lambda.ServiceException",
            "Lambda.TooManyRequestsException",
            "Lambda.SdkClientException",
            "Lambda.AWSLambdaException",
        ],
        "IntervalSeconds": 2,
        "MaxAttempts": 3,
        "BackoffRate": 2.0,
    }
]


def catch(next_state: str) -> list[dict[str, Any]]:
    return [
        {"ErrorEquals": ["States.DataLimitExceeded"], "Next": next_state, "ResultPath": "$.Failure"},
        {"ErrorEquals": ["States.ALL"], "Next": next_state, "ResultPath": "$.Failure"},
    ]


STEP_PAYLOAD = {"Operation": {"Name": "Labels", "Stage": "Detect", "Type": "Sync"}, "State.$": "$"}

EXPECTED: dict[str, Any] = {
    "Comment": "Medialens workflow Tiny",
    "StartAt": "Prepare media",
    "States": {
        "Prepare media": {
            "Type": "Task",
            "Resource": FN + "media",
            "Parameters": {"State.$": "$", "PlanStage": {"Stage": "Detect", "Operations": ["Labels"]}},
            "Retry": RETRY,
            "Catch": catch("Fail workflow"),
            "Next": "Detect.run",
        },
        "Detect.run": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Detect.Labels.filter",
                    "States": {
                        "Detect.Labels.filter": {
                            "Type": "Pass",
                            "Parameters": {
                                "Event": {
                                    "Name": "Labels",
                                    "AssetId.$": "$.AssetId",
                                    "WorkflowExecutionId.$": "$.ExecutionId",
                                    "Input": {"Media.$": "$.Input.Media", "MetaData.$": "$.Input.MetaData"},
                                    "Configuration.$": "$.Plan.Branch0.Configuration",
                                    "Status.$": "$.Plan.Branch0.Status",
                                    "MetaData.$": "$.Plan.Branch0.MetaData",
                                    "Media": {},
                                },
                                "Poll.$": "$.Plan.Branch0.Poll",
                            },
                            "Next": "Detect.Labels.skip?",
                        },
                        "Detect.Labels.skip?": {
                            "Type": "Choice",
                            "Choices": [
                                {
                                    "Variable": "$.Event.Status",
                                    "StringEquals": "Skipped",
                                    "Next": "Detect.Labels.end",
                                }
                            ],
                            "Default": "Detect.Labels.execute",
                        },
                        "Detect.Labels.execute": {
                            "Type": "Task",
                            "Resource": FN + "labels",
                            "InputPath": "$.Event",
                            "ResultPath": "$.Event",
                            "Retry": RETRY,
                            "Catch": catch("Detect.Labels.failed"),
                            "Next": "Detect.Labels.check",
                        },
                        "Detect.Labels.check": {
                            "Type": "Choice",
                            "Choices": [
                                {
                                    "Not": {"Variable": "$.Event.Status", "IsPresent": True},
                                    "Next": "Detect.Labels.end",
                                },
                                {
                                    "And": [{"Variable": "$.Event.Status", "StringEquals": "Error"}],
                                    "Next": "Detect.Labels.failed",
                                },
                            ],
                            "Default": "Detect.Labels.end",
                        },
                        "Detect.Labels.failed": {
                            "Type": "Task",
                            "Resource": FN + "failed",
                            "Parameters": STEP_PAYLOAD,
                            "ResultPath": "$.Event",
                            "Retry": RETRY,
                            "Next": "Detect.Labels.end",
                        },
                        "Detect.Labels.end": {"Type": "Succeed", "OutputPath": "$.Event"},
                    },
                }
            ],
            "ResultPath": "$.Outputs",
            "Catch": catch("Fail workflow"),
            "Next": "Detect.complete",
        },
        "Detect.complete": {
            "Type": "Task",
            "Resource": FN + "stage",
            "Parameters": {"Stage": "Detect", "Operations": ["Labels"], "State.$": "$"},
            "Retry": RETRY,
            "Catch": catch("Fail workflow"),
            "Next": "Complete workflow",
        },
        "Complete workflow": {
            "Type": "Task",
            "Resource": FN + "done",
            "Parameters": {"State.$": "$"},
            "Retry": RETRY,
            "Catch": catch("Fail workflow"),
            "Next": "Workflow succeeded",
        },
        "Workflow succeeded": {"Type": "Succeed"},
        "Fail workflow": {
            "Type": "Task",
            "Resource": FN + "fail",
            "Parameters": {"State.$": "$"},
            "Retry": RETRY,
            "Next": "Workflow failed",
        },
        "Workflow failed": {
            "Type": "Fail",
            "Error": "WorkflowFailed",
            "Cause": "the workflow failed; its execution record holds the reason",
        },
    },
    "TimeoutSeconds": 900,
}


def test_one_sync_operator_workflow_matches_the_hand_written_asl() -> None:
    operation = Operation.model_validate(
        {
            "Name": "Labels",
            "Type": "Sync",
            "Configuration": {"MediaType": "Image", "Enabled": True},
            "StartLambdaArn": FN + "labels",
        }
    )
    workflow = Workflow.model_validate(
        {"Name": "Tiny", "StartAt": "Detect", "Stages": {"Detect": {"End": True}}, "TimeoutSeconds": 900}
    )
    text = WorkflowGenerator(ARNS).compile(
        workflow, {"Detect": Stage(Name="Detect", Operations=["Labels"])}, {"Labels": operation}
    )
    assert json.loads(text) == EXPECTED
