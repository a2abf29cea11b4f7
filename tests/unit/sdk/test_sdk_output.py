from __future__ import annotations

import json

import pytest
from medialens_helper import MasExecutionError, OutputHelper, Status


def test_new_output_is_empty_with_mie_initial_status() -> None:
    assert OutputHelper("Thumbnail").return_output_object() == {
        "Name": "Thumbnail",
        "Status": "",
        "MetaData": {},
        "Media": {},
    }


def test_output_collects_status_metadata_and_media() -> None:
    output = OutputHelper("Thumbnail")
    output.update_status("Complete")
    output.update_metadata(ThumbnailCount="3", Detail={"fps": 1})
    output.update_media("Thumbnail", "bucket", "private/assets/a1/thumb.jpg")

    result = output.return_output_object()

    assert result == {
        "Name": "Thumbnail",
        "Status": "Complete",
        "MetaData": {"ThumbnailCount": "3", "Detail": {"fps": 1}},
        "Media": {"Thumbnail": {"S3Bucket": "bucket", "S3Key": "private/assets/a1/thumb.jpg"}},
    }
    assert type(result["Status"]) is str


def test_later_mie_method_names_do_the_same() -> None:
    output = OutputHelper("Transcribe")
    output.update_workflow_status(Status.Executing)
    output.add_workflow_metadata(TranscribeJobId="job-1")
    output.add_workflow_metadata(Language="en-US", Vocabulary="none")
    output.add_media_object("Text", "bucket", "out.txt")

    assert output.return_output_object() == {
        "Name": "Transcribe",
        "Status": "Executing",
        "MetaData": {"TranscribeJobId": "job-1", "Language": "en-US", "Vocabulary": "none"},
        "Media": {"Text": {"S3Bucket": "bucket", "S3Key": "out.txt"}},
    }


def test_later_value_for_a_key_replaces_the_earlier_one() -> None:
    output = OutputHelper("Op")
    output.update_metadata(JobId="1")
    output.update_metadata(JobId="2")
    output.update_media("Video", "b", "k1")
    output.update_media("Video", "b", "k2")
    result = output.return_output_object()
    assert result["MetaData"] == {"JobId": "2"}
    assert result["Media"]["Video"]["S3Key"] == "k2"


def test_unknown_status_is_refused() -> None:
    output = OutputHelper("Op")
    with pytest.raises(ValueError, match="'Finished'"):
        output.update_status("Finished")
    assert output.status == ""


def test_metadata_that_is_not_json_is_refused_and_names_the_key() -> None:
    output = OutputHelper("Op")
    with pytest.raises(TypeError, match="'Handle'"):
        output.update_metadata(Good="ok", Handle=object())
    assert output.return_output_object()["MetaData"] == {}


@pytest.mark.parametrize(
    ("media_type", "bucket", "key"), [("", "b", "k"), ("Video", "", "k"), ("Video", "b", "")]
)
def test_media_needs_type_bucket_and_key(media_type: str, bucket: str, key: str) -> None:
    with pytest.raises(ValueError, match="must be a non-empty string"):
        OutputHelper("Op").update_media(media_type, bucket, key)


def test_name_must_be_given() -> None:
    with pytest.raises(ValueError, match="operator name"):
        OutputHelper("")


def test_returned_object_does_not_change_with_later_writes() -> None:
    output = OutputHelper("Op")
    output.update_metadata(Key="first")
    first = output.return_output_object()
    first["MetaData"]["Injected"] = "x"
    output.update_metadata(Key="second")
    assert first["MetaData"] == {"Key": "first", "Injected": "x"}
    assert output.return_output_object()["MetaData"] == {"Key": "second"}


def test_module_level_helper_does_not_leak_between_warm_invocations() -> None:
    # MIE operators keep one OutputHelper per module; Lambda reuses it across invocations.
    output = OutputHelper("Op")

    output.update_status("Error")
    output.update_metadata(OpError="first run failed")
    output.update_media("Text", "b", "k")
    assert output.return_output_object()["MetaData"] == {"OpError": "first run failed"}

    output.update_status("Complete")
    assert output.return_output_object() == {"Name": "Op", "Status": "Complete", "MetaData": {}, "Media": {}}


def test_returning_twice_without_writes_returns_the_same_object() -> None:
    output = OutputHelper("Op")
    output.update_metadata(Key="v")
    assert output.return_output_object() == output.return_output_object()


def test_fail_records_the_error_and_returns_a_json_mas_error() -> None:
    output = OutputHelper("Op")
    output.update_metadata(JobId="j1")

    error = output.fail("engine said no", Attempt="2")

    assert isinstance(error, MasExecutionError)
    expected = {
        "Name": "Op",
        "Status": "Error",
        "MetaData": {"JobId": "j1", "OpError": "engine said no", "Attempt": "2"},
        "Media": {},
    }
    assert error.output == expected
    # The Lambda runtime reports str(error) as errorMessage: it must be JSON the workflow can read.
    assert json.loads(str(error)) == expected
