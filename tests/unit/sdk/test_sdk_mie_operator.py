"""MIE operators (in mie_operators/, written as the MIE guide shows) run unchanged on the SDK.

Each is loaded the way Lambda loads a handler module, and calls a real local HTTP dataplane
through `DataPlane()` configured from the environment, signed with fake credentials.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import pytest
from medialens_helper import (
    DataplaneNotFoundError,
    DataplaneUnavailableError,
    InvalidOperatorEventError,
    MasExecutionError,
    TransientError,
)

OPERATORS = Path(__file__).parent / "mie_operators"


def load_operator(name: str) -> ModuleType:
    """A cold start: a fresh module object, as a new Lambda execution environment would have."""
    spec = importlib.util.spec_from_file_location(f"mie_operator_{name}", OPERATORS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def workflow_event(name: str, media: dict[str, Any], configuration: dict[str, Any]) -> dict[str, Any]:
    return {
        "Name": name,
        "AssetId": "asset-1",
        "WorkflowExecutionId": "wf-1",
        "Input": {"Media": media, "MetaData": {"MyData1": "upstream"}},
        "Configuration": {"MediaType": "Video", "Enabled": True, **configuration},
        "Status": "Started",
        "MetaData": {},
        "Media": {},
    }


def dataplane_answers(request: Any) -> tuple[int, Any]:
    path = unquote(request.target.split("?")[0])
    if request.method == "POST" and path == "/api/metadata/asset-1":
        return 200, {"Status": "Success"}
    if request.method == "GET" and path == "/api/mediapath/asset-1/wf-1":
        return 200, {"S3Bucket": "dataplane", "S3Key": "private/assets/asset-1/workflows/wf-1/"}
    return 404, {"Message": f"asset not found: {path}", "Code": "AssetNotFound"}


@pytest.fixture
def dataplane_env(monkeypatch: pytest.MonkeyPatch, aws_env: None, local_server: Any) -> Any:
    local_server.responder = dataplane_answers
    monkeypatch.setenv("DATAPLANE_API_ENDPOINT", local_server.url)
    return local_server


VIDEO = {"Video": {"S3Bucket": "uploads", "S3Key": "private/assets/asset-1/input/v.mp4"}}
IMAGE = {"Image": {"S3Bucket": "uploads", "S3Key": "private/assets/asset-1/input/i.jpg"}}


def test_label_operator_stores_results_and_returns_its_output(dataplane_env: Any) -> None:
    operator = load_operator("label_detection")

    output = operator.lambda_handler(workflow_event("LabelDetection", VIDEO, {"MinConfidence": 90}), None)

    assert output == {
        "Name": "LabelDetection",
        "Status": "Complete",
        "MetaData": {
            "LabelCount": "1",
            "MyData2": "upstream and labels",
            "Source": "private/assets/asset-1/input/v.mp4",
        },
        "Media": {},
    }
    [stored] = dataplane_env.received
    assert (stored.method, stored.target) == ("POST", "/api/metadata/asset-1")
    assert stored.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
    assert json.loads(stored.body) == {
        "OperatorName": "LabelDetection",
        "WorkflowId": "wf-1",
        "Results": {
            "Labels": [{"Name": "Cat", "Confidence": 97.5}],
            "Source": {"S3Bucket": "uploads", "S3Key": "private/assets/asset-1/input/v.mp4"},
        },
        "Paginate": False,
        "End": True,
    }


def test_label_operator_failure_is_reported_and_does_not_leak_into_the_next_run(dataplane_env: Any) -> None:
    operator = load_operator("label_detection")

    with pytest.raises(MasExecutionError) as caught:
        operator.lambda_handler(workflow_event("LabelDetection", {}, {"MinConfidence": 50}), None)
    assert json.loads(str(caught.value)) == {
        "Name": "LabelDetection",
        "Status": "Error",
        "MetaData": {"LabelDetectionError": "No valid inputs"},
        "Media": {},
    }
    assert dataplane_env.received == []

    # Warm invocation of the same module: the earlier error must not appear in this output.
    output = operator.lambda_handler(workflow_event("LabelDetection", IMAGE, {"MinConfidence": 50}), None)
    assert output["Status"] == "Complete"
    assert output["MetaData"] == {
        "LabelCount": "2",
        "MyData2": "upstream and labels",
        "Source": "private/assets/asset-1/input/i.jpg",
    }


@pytest.mark.parametrize(
    ("status", "kind", "transient"),
    [(404, DataplaneNotFoundError, False), (503, DataplaneUnavailableError, True)],
)
def test_dataplane_errors_leave_the_operator_as_typed_errors(
    dataplane_env: Any, status: int, kind: type[Exception], transient: bool
) -> None:
    dataplane_env.responder = lambda _request: (status, {"Message": "dataplane says no"})
    operator = load_operator("label_detection")

    with pytest.raises(kind, match="dataplane says no") as caught:
        operator.lambda_handler(workflow_event("LabelDetection", VIDEO, {"MinConfidence": 50}), None)
    # The state machine retries on the class name: only the transient one may be retried.
    assert isinstance(caught.value, TransientError) is transient


def test_operation_helper_operator_derives_a_media_object(dataplane_env: Any) -> None:
    operator = load_operator("translate")
    text = {"Text": {"S3Bucket": "dataplane", "S3Key": "private/assets/asset-1/transcript.txt"}}
    event = workflow_event("Translate", text, {"TargetLanguageCode": "fr"})

    output = operator.lambda_handler(event, None)

    assert output == {
        **event,
        "Status": "Complete",
        "MetaData": {"TranslateSource": "dataplane/private/assets/asset-1/transcript.txt"},
        "Media": {
            "Text": {
                "S3Bucket": "dataplane",
                "S3Key": "private/assets/asset-1/workflows/wf-1/translation_fr.txt",
            }
        },
    }
    assert [(r.method, r.target) for r in dataplane_env.received] == [("GET", "/api/mediapath/asset-1/wf-1")]


def test_operation_helper_operator_reports_missing_input_with_the_event(dataplane_env: Any) -> None:
    operator = load_operator("translate")

    with pytest.raises(MasExecutionError) as caught:
        operator.lambda_handler(workflow_event("Translate", VIDEO, {"TargetLanguageCode": "fr"}), None)

    reported = json.loads(str(caught.value))
    assert reported["Status"] == "Error"
    assert reported["MetaData"] == {"TranslateError": "No valid inputs 'Text'"}
    assert reported["AssetId"] == "asset-1"
    assert reported["WorkflowExecutionId"] == "wf-1"


def test_operator_given_a_non_workflow_event_names_what_is_missing(dataplane_env: Any) -> None:
    operator = load_operator("translate")
    event = workflow_event("Translate", {}, {})
    del event["WorkflowExecutionId"]
    with pytest.raises(InvalidOperatorEventError, match="'WorkflowExecutionId'"):
        operator.lambda_handler(event, None)
