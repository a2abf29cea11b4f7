"""The test operators behave as their definitions promise, called as Lambda calls them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from medialens_helper import DataPlane, DataplaneNotFoundError, InvalidOperatorEventError, MasExecutionError

from operators.catalog import load_catalog
from operators.test import async_handlers, oversize, sync_handlers
from tests.unit.operators.conftest import ASSET_ID, BUCKET, WORKFLOW_ID, Dataplane, workflow_event

TEST_OPERATORS = {
    "TestSyncOk",
    "TestSyncFail",
    "TestSyncRaise",
    "TestAsyncOk",
    "TestAsyncFail",
    "TestAsyncHang",
    "TestOversize",
    "TestMieStyle",
    "TestMiePaged",
}


def test_catalog_registers_every_test_operator_as_a_test_resource() -> None:
    test_entries = {e.definition.Name: e.definition for e in load_catalog() if e.folder.name == "test"}
    assert set(test_entries) == TEST_OPERATORS
    assert all(definition.TestResource for definition in test_entries.values())
    assert {name for name, d in test_entries.items() if d.MonitorHandler} == {
        "TestAsyncOk",
        "TestAsyncFail",
        "TestAsyncHang",
        "TestMiePaged",
    }
    left_out = {e.definition.Name for e in load_catalog(include_test=False)}
    assert not left_out & TEST_OPERATORS


def test_sync_ok_echoes_configuration_and_upstream_keys_and_adds_media() -> None:
    event = workflow_event(
        "TestSyncOk", configuration={"Depth": 3}, upstream={"Zeta": "1", "Alpha": {"n": 2}}
    )

    output = sync_handlers.ok(event, None)

    assert output["Status"] == "Complete"
    assert json.loads(output["MetaData"]["TestSyncOkConfig"]) == {
        "Depth": 3,
        "Enabled": True,
        "MediaType": "Video",
    }
    assert json.loads(output["MetaData"]["TestSyncOkSawUpstream"]) == ["Alpha", "Zeta"]
    assert output["Media"] == {
        "Text": {
            "S3Bucket": BUCKET,
            "S3Key": f"private/assets/{ASSET_ID}/workflows/{WORKFLOW_ID}/TestSyncOk.txt",
        }
    }
    assert (output["AssetId"], output["WorkflowExecutionId"]) == (ASSET_ID, WORKFLOW_ID)


def test_sync_ok_keys_follow_the_operation_name_and_need_no_input_media() -> None:
    output = sync_handlers.ok(workflow_event("Renamed", media={}), None)
    assert output["Status"] == "Complete"
    assert json.loads(output["MetaData"]["RenamedSawUpstream"]) == []
    assert output["Media"]["Text"]["S3Bucket"] == sync_handlers.FALLBACK_BUCKET


def test_sync_fail_returns_error_status_with_the_reason() -> None:
    default = sync_handlers.returns_error(workflow_event("TestSyncFail"), None)
    assert default["Status"] == "Error"
    assert default["MetaData"] == {"TestSyncFailError": "the input was unusable"}

    chosen = sync_handlers.returns_error(
        workflow_event("TestSyncFail", configuration={"Reason": "bad"}), None
    )
    assert chosen["MetaData"]["TestSyncFailError"] == "bad"


def test_sync_raise_raises_an_ordinary_exception() -> None:
    with pytest.raises(RuntimeError, match="TestSyncRaise raised on purpose") as raised:
        sync_handlers.raises(workflow_event("TestSyncRaise"), None)
    assert not isinstance(raised.value, MasExecutionError)


def _poll(handler: Any, previous: dict[str, Any]) -> dict[str, Any]:
    """The next async step's event: the previous step's output, as the state machine passes it on."""
    return handler(dict(previous), None)  # type: ignore[no-any-return]


def test_async_ok_is_executing_for_one_poll_then_complete() -> None:
    started = async_handlers.start(workflow_event("TestAsyncOk"), None)
    assert started["Status"] == "Executing"

    first = _poll(async_handlers.monitor_ok, started)
    second = _poll(async_handlers.monitor_ok, first)

    assert (first["Status"], first["MetaData"]["Polls"]) == ("Executing", "1")
    assert (second["Status"], second["MetaData"]["Polls"]) == ("Complete", "2")


def test_async_ok_counts_polls_from_its_output_not_from_memory() -> None:
    started = async_handlers.start(workflow_event("TestAsyncOk", configuration={"ExecutingPolls": 3}), None)
    first = _poll(async_handlers.monitor_ok, started)
    # The same input twice gives the same answer: a retried poll does not advance the job.
    assert _poll(async_handlers.monitor_ok, started) == first
    statuses = []
    step = first
    for _ in range(5):
        statuses.append(step["Status"])
        if step["Status"] == "Complete":
            break
        step = _poll(async_handlers.monitor_ok, step)
    assert statuses == ["Executing", "Executing", "Executing", "Complete"]


@pytest.mark.parametrize("polls", [-1, "2", True, 101])
def test_async_ok_rejects_a_bad_poll_count(polls: Any) -> None:
    event = workflow_event("TestAsyncOk", configuration={"ExecutingPolls": polls}, metadata={"Polls": "0"})
    with pytest.raises(MasExecutionError) as raised:
        async_handlers.monitor_ok(event, None)
    assert raised.value.output is not None
    assert raised.value.output["Status"] == "Error"
    assert "ExecutingPolls must be an integer" in raised.value.output["MetaData"]["TestAsyncOkError"]


def test_async_ok_monitor_fails_on_unreadable_progress() -> None:
    with pytest.raises(MasExecutionError, match="unreadable Polls"):
        async_handlers.monitor_ok(workflow_event("TestAsyncOk", metadata={"Polls": "many"}), None)


def test_async_fail_monitor_raises_mas_execution_error_with_the_reason() -> None:
    started = async_handlers.start(workflow_event("TestAsyncFail"), None)
    assert started["Status"] == "Executing"

    with pytest.raises(MasExecutionError) as raised:
        async_handlers.monitor_fail(started, None)

    output = raised.value.output
    assert output is not None
    assert output["Status"] == "Error"
    assert output["MetaData"]["TestAsyncFailError"] == "the job failed remotely"
    # The Lambda runtime reports str(error): it must be the output object as JSON.
    assert json.loads(str(raised.value))["Status"] == "Error"


def test_async_hang_monitor_never_completes() -> None:
    step = async_handlers.start(workflow_event("TestAsyncHang"), None)
    for _ in range(5):
        step = _poll(async_handlers.monitor_hang, step)
        assert step["Status"] == "Executing"


def test_oversize_output_exceeds_the_state_payload_limit() -> None:
    output = oversize.handler(workflow_event("TestOversize"), None)
    assert output["Status"] == "Complete"
    size = len(json.dumps(output).encode())
    assert size > oversize.STATE_PAYLOAD_LIMIT
    assert size < oversize.STATE_PAYLOAD_LIMIT * 2


def test_oversize_size_is_configurable_and_checked() -> None:
    small = oversize.handler(workflow_event("TestOversize", configuration={"SizeKiB": 1}), None)
    assert len(small["MetaData"][oversize.PADDING_KEY]) == 1024
    with pytest.raises(MasExecutionError, match="SizeKiB must be an integer"):
        oversize.handler(workflow_event("TestOversize", configuration={"SizeKiB": 0}), None)


@pytest.mark.parametrize(
    "handler",
    [sync_handlers.ok, sync_handlers.returns_error, async_handlers.start, oversize.handler],
)
def test_an_event_that_is_not_a_workflow_event_is_refused(handler: Any) -> None:
    with pytest.raises(InvalidOperatorEventError, match="missing 'AssetId'"):
        handler({"Name": "X"}, None)


# TestMieStyle: loaded and called as Lambda would, with `DataPlane()` reaching the real dataplane
# handler on moto (its environment-made transport swapped for the in-process one).


@pytest.fixture
def mie_style(dataplane: Dataplane, monkeypatch: pytest.MonkeyPatch) -> Any:
    from operators.test import mie_style

    monkeypatch.setattr(mie_style, "DataPlane", lambda: DataPlane(dataplane.transport()))
    return mie_style


def test_mie_style_stores_its_result_and_completes(dataplane: Dataplane, mie_style: Any) -> None:
    asset = dataplane.create_asset()
    media = {"Video": {"S3Bucket": asset["S3Bucket"], "S3Key": asset["S3Key"]}}
    event = workflow_event(
        "TestMieStyle", asset_id=asset["AssetId"], media=media, upstream={"Up": "1"}, configuration={"K": 1}
    )

    output = mie_style.lambda_handler(event, None)

    assert output == {
        "Name": "TestMieStyle",
        "Status": "Complete",
        "MetaData": {"TestMieStyleStored": "true", "Source": asset["S3Key"]},
        "Media": {},
    }
    assert dataplane.results(asset["AssetId"], "TestMieStyle") == {
        "Source": media["Video"],
        "Configuration": {"MediaType": "Video", "Enabled": True, "K": 1},
        "UpstreamKeys": ["Up"],
    }
    # A second (warm) invocation starts from a clean output object.
    again = mie_style.lambda_handler(event, None)
    assert again["MetaData"] == output["MetaData"]


def test_mie_style_without_video_raises_its_output_object(dataplane: Dataplane, mie_style: Any) -> None:
    with pytest.raises(MasExecutionError) as raised:
        mie_style.lambda_handler(workflow_event("TestMieStyle", media={}), None)
    output = raised.value.output
    assert output is not None and output["Status"] == "Error"
    assert output["MetaData"]["TestMieStyleError"].startswith("No valid inputs")


def test_mie_style_reports_a_dataplane_refusal(dataplane: Dataplane, mie_style: Any) -> None:
    # No such asset (the event's id was never created): the dataplane answers 404.
    with pytest.raises(MasExecutionError) as raised:
        mie_style.lambda_handler(workflow_event("TestMieStyle"), None)
    output = raised.value.output
    assert output is not None and output["Status"] == "Error"
    assert output["MetaData"]["TestMieStyleError"].startswith("Unable to store metadata")
    assert isinstance(raised.value.__cause__, DataplaneNotFoundError)
