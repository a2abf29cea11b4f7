"""Engine operations through the workflow API: registered without Lambda ARNs, listed, updated, deleted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functional.workflow.workflow_helpers import WorkflowApi, lambda_arn

CONFIGURATION = {"MediaType": "Video", "Enabled": True}


def engine_operation(name: str, **engine: Any) -> dict[str, Any]:
    manifest = {"engineMode": "chunk", "supportedInputFormats": ["image/jpeg"], "intialConcurrency": 2}
    manifest.update(engine.pop("Manifest", {}))
    block = {
        "ProcessUrl": "http://127.0.0.1:9/process",
        "ReadyUrl": "http://127.0.0.1:9/ready",
        "Manifest": manifest,
    }
    return {"Name": name, "Configuration": dict(CONFIGURATION), "Engine": {**block, **engine}}


def test_an_engine_operation_is_registered_listed_updated_and_deleted(api: WorkflowApi) -> None:
    body = api.ok("POST", "/workflow/operation", body=engine_operation("Faces", Payload={"model": "v1"}))
    assert body["Type"] == "Sync"
    assert "StartLambdaArn" not in body
    assert body["Engine"]["Manifest"]["engineMode"] == "chunk"
    assert body["Engine"]["Manifest"]["initialConcurrency"] == 2  # the toolkit's typo read as the field
    assert body["Engine"]["Retry"] == {"MaxAttempts": 3, "InitialBackoffMs": 100, "MaxBackoffMs": 1000}
    assert body["StageName"] == "_Faces"
    assert api.ok("GET", "/workflow/operation/Faces")["Engine"]["Payload"] == {"model": "v1"}
    assert [op["Name"] for op in api.ok("GET", "/workflow/operation")] == ["Faces"]

    updated = api.ok("PUT", "/workflow/operation", body=engine_operation("Faces", Concurrency=2))
    assert updated["Engine"]["Concurrency"] == 2 and updated["Version"] == 2
    api.ok("DELETE", "/workflow/operation/Faces")
    api.fails(404, "GET", "/workflow/operation/Faces")


@pytest.mark.parametrize(
    ("field", "engine"),
    [
        ("Engine.ProcessUrl", {"ProcessUrl": "not a url"}),
        ("Engine.Manifest.engineMode", {"Manifest": {"engineMode": "legacy"}}),
        ("Engine.Manifest.supportedInputFormats", {"Manifest": {"supportedInputFormats": []}}),
        ("Engine.Retry.MaxAttempts", {"Retry": {"MaxAttempts": 0}}),
        ("Engine.Validation.Mode", {"Validation": {"Mode": "loud"}}),
        ("Engine.CallTimeoutSeconds", {"CallTimeoutSeconds": 901}),
        ("Engine.Chunking.FramesPerSecond", {"Chunking": {"FramesPerSecond": 0}}),
        ("Engine.Surprise", {"Surprise": True}),
        ("maxConcurrency", {"Concurrency": 5, "Manifest": {"maxConcurrency": 2}}),
    ],
)
def test_a_bad_engine_block_is_400_naming_the_field(
    api: WorkflowApi, field: str, engine: dict[str, Any]
) -> None:
    message = api.fails(400, "POST", "/workflow/operation", body=engine_operation("Bad", **engine))
    assert field in message, message
    assert api.ok("GET", "/workflow/operation") == []


def test_an_engine_and_lambda_arns_together_are_400(api: WorkflowApi) -> None:
    request = {**engine_operation("Both"), "StartLambdaArn": lambda_arn("Both")}
    assert "Engine replaces StartLambdaArn" in api.fails(400, "POST", "/workflow/operation", body=request)
    request = {"Name": "Neither", "Type": "Sync", "Configuration": CONFIGURATION}
    assert "StartLambdaArn is required" in api.fails(400, "POST", "/workflow/operation", body=request)
