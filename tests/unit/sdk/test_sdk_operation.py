from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from medialens_helper import (
    InvalidOperatorEventError,
    MasExecutionError,
    MediaInsightsOperationHelper,
    Status,
)


def operator_event(**overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "Name": "Transcribe",
        "AssetId": "asset-1",
        "WorkflowExecutionId": "wf-1",
        "Input": {
            "Media": {"Audio": {"S3Bucket": "bucket", "S3Key": "private/assets/asset-1/audio.mp3"}},
            "MetaData": {"MyData1": "from upstream"},
        },
        "Configuration": {"MediaType": "Audio", "Enabled": True, "LanguageCode": "en-US"},
        "Status": "Started",
        "MetaData": {},
        "Media": {},
    }
    event.update(overrides)
    return event


def test_helper_exposes_the_event_fields() -> None:
    helper = MediaInsightsOperationHelper(operator_event())

    assert helper.name == "Transcribe"
    assert helper.asset_id == "asset-1"
    assert helper.workflow_execution_id == "wf-1"
    assert helper.input["Media"]["Audio"]["S3Key"] == "private/assets/asset-1/audio.mp3"
    assert helper.input["MetaData"]["MyData1"] == "from upstream"
    assert helper.configuration["LanguageCode"] == "en-US"
    assert helper.status == "Started"
    assert helper.metadata == {}
    assert helper.media == {}
    assert helper.workflow_info() == {"AssetId": "asset-1", "WorkflowExecutionId": "wf-1"}


def test_metadata_and_media_are_optional() -> None:
    event = operator_event()
    del event["MetaData"], event["Media"]
    helper = MediaInsightsOperationHelper(event)
    assert helper.metadata == {}
    assert helper.media == {}


def test_monitor_step_sees_what_the_start_step_returned() -> None:
    start = MediaInsightsOperationHelper(operator_event())
    start.add_workflow_metadata(TranscribeJobId="job-7")
    start.update_workflow_status("Executing")

    monitor = MediaInsightsOperationHelper(start.return_output_object())

    assert monitor.metadata == {"TranscribeJobId": "job-7"}
    assert monitor.status == Status.Executing


def test_output_object_carries_the_event_and_the_operator_results() -> None:
    helper = MediaInsightsOperationHelper(operator_event())
    helper.update_workflow_status(Status.Complete)
    helper.add_workflow_metadata(TranscribeJobId="job-7")
    helper.add_workflow_metadata_json({"Key with spaces": "v", "Count": 3})
    helper.add_media_object("Text", "bucket", "private/assets/asset-1/transcript.txt")

    output = helper.return_output_object()

    assert output == {
        "Name": "Transcribe",
        "AssetId": "asset-1",
        "WorkflowExecutionId": "wf-1",
        "Input": operator_event()["Input"],
        "Configuration": operator_event()["Configuration"],
        "Status": "Complete",
        "MetaData": {"TranscribeJobId": "job-7", "Key with spaces": "v", "Count": 3},
        "Media": {"Text": {"S3Bucket": "bucket", "S3Key": "private/assets/asset-1/transcript.txt"}},
    }
    assert json.loads(json.dumps(output)) == output


def test_helper_never_changes_the_callers_event() -> None:
    event = operator_event(MetaData={"Existing": "1"})
    original = copy.deepcopy(event)
    helper = MediaInsightsOperationHelper(event)
    helper.add_workflow_metadata(New="2")
    helper.add_media_object("Text", "b", "k")
    helper.input["Media"].clear()
    assert event == original


@pytest.mark.parametrize(
    "field", ["Name", "AssetId", "WorkflowExecutionId", "Input", "Configuration", "Status"]
)
def test_missing_mandatory_field_is_named(field: str) -> None:
    event = operator_event()
    del event[field]
    with pytest.raises(InvalidOperatorEventError, match=f"missing '{field}'"):
        MediaInsightsOperationHelper(event)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("Input", "not an object", "'Input' must be an object, got str"),
        ("AssetId", 12, "'AssetId' must be a string, got int"),
        ("Name", "", "'Name' is empty"),
        ("MetaData", ["a"], "'MetaData' must be an object, got list"),
    ],
)
def test_wrongly_typed_field_is_named(field: str, value: Any, message: str) -> None:
    with pytest.raises(InvalidOperatorEventError, match=message):
        MediaInsightsOperationHelper(operator_event(**{field: value}))


def test_event_must_be_an_object() -> None:
    with pytest.raises(InvalidOperatorEventError, match="must be an object, got list"):
        MediaInsightsOperationHelper([])  # type: ignore[arg-type]


def test_metadata_can_be_added_after_the_operator_failed() -> None:
    # The seed's error-handling pattern: set Error, add the reason, raise with the output object.
    helper = MediaInsightsOperationHelper(operator_event())
    helper.update_workflow_status("Error")
    helper.add_workflow_metadata(
        comprehend_entity_job_id="job-1", comprehend_error="comprehend returned as failed"
    )

    with pytest.raises(MasExecutionError) as caught:
        raise MasExecutionError(helper.return_output_object())

    reported = json.loads(str(caught.value))
    assert reported["Status"] == "Error"
    assert reported["MetaData"]["comprehend_error"] == "comprehend returned as failed"
    assert reported["AssetId"] == "asset-1"


def test_fail_stores_the_message_under_name_error() -> None:
    helper = MediaInsightsOperationHelper(operator_event())
    error = helper.fail("job failed: bad audio")
    assert error.output is not None
    assert error.output["Status"] == "Error"
    assert error.output["MetaData"] == {"TranscribeError": "job failed: bad audio"}


def test_mas_execution_error_with_a_message_stays_a_message() -> None:
    assert str(MasExecutionError("plain reason")) == "plain reason"
    assert MasExecutionError("plain reason").output is None


def test_add_workflow_metadata_json_requires_a_mapping() -> None:
    helper = MediaInsightsOperationHelper(operator_event())
    with pytest.raises(TypeError, match="mapping"):
        helper.add_workflow_metadata_json([("a", "b")])  # type: ignore[arg-type]
