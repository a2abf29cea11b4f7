"""Execution routes, the scheduler and the status-change handler under moto (machines not executed)."""

from __future__ import annotations

from typing import Any

import pytest

from api.workflow.executions.store import OperatorOutcome
from api.workflow.scheduler import handler as scheduler
from api.workflow.status_events import handler as status_events
from tests.functional.workflow.execution_fixtures import MEDIA_BUCKET, Executions, executions
from tests.functional.workflow.workflow_helpers import chain, operation_body

__all__ = ["executions"]  # the fixture, imported so pytest finds it


def _status_event(record: dict[str, Any], status: str, **detail: Any) -> dict[str, Any]:
    return {
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "detail": {
            "executionArn": record.get("ExecutionArn", ""),
            "stateMachineArn": record["StateMachineArn"],
            "name": record["Id"],
            "status": status,
            **detail,
        },
    }


def test_submit_creates_the_asset_records_queued_and_enqueues(executions: Executions) -> None:
    body = executions.submit(Configuration={"Detect": {"Labels": {"Threshold": 90, "Extra": "x"}}})
    assert body["Status"] == "Queued"
    media = body["Globals"]["Media"]["Video"]
    assert media["S3Bucket"] == MEDIA_BUCKET
    assert media["S3Key"].startswith(f"private/assets/{body['AssetId']}/")
    assert body["Configuration"]["Detect"]["Labels"] == {
        "MediaType": "Video",
        "Enabled": True,
        "Threshold": 90,
        "Extra": "x",
    }
    assert body["Configuration"]["Detect"]["Faces"] == {"MediaType": "Image", "Enabled": True}
    assert executions.queued_ids() == [body["Id"]]
    got = executions.api.ok("GET", f"/workflow/execution/{body['Id']}")
    assert got["Stages"] == [
        {
            "Name": "Detect",
            "Status": "Not Started",
            "Operations": [
                {"Name": "Labels", "Status": "Not Started"},
                {"Name": "Faces", "Status": "Not Started"},
            ],
        }
    ]


@pytest.mark.parametrize(
    ("configuration", "message"),
    [
        ({"Nope": {"Labels": {}}}, 'stage "Nope"'),
        ({"Detect": {"Ghost": {}}}, 'operator "Ghost"'),
        ({"Detect": {"Labels": {"Enabled": "yes"}}}, 'Enabled must be true or false, got "yes"'),
        ({"Detect": {"Labels": {"MediaType": "Hologram"}}}, "MediaType must be one of Video, Image"),
        ({"Detect": {"Operations": {"Ghost": {}}}}, 'operator "Ghost"'),
        ({"Detect": {"Operations": {"Labels": {"Enabled": 1}}}}, "Labels.Enabled must be true or false"),
        ({"Detect": {"Operations": {"Labels": {}}, "Labels": {}}}, "both inside and outside Operations"),
        ({"Detect": {"Operations": {"Labels": {"MediaTypes": {"Hologram": True}}}}}, "MediaTypes must map"),
        ({"Detect": {"Operations": {"Labels": {"MediaTypes": ["Video"]}}}}, "MediaTypes must map"),
        (
            {"Detect": {"Operations": {"Labels": {"MediaTypes": {"Audio": True, "Text": True}}}}},
            "runs on one media type (Video)",
        ),
    ],
)
def test_bad_override_is_a_400(executions: Executions, configuration: dict[str, Any], message: str) -> None:
    executions.s3.put_object(Bucket=MEDIA_BUCKET, Key="upload/v.mp4", Body=b"m")
    body = {
        "Name": "Main",
        "Input": {"Media": {"Video": {"S3Bucket": MEDIA_BUCKET, "S3Key": "upload/v.mp4"}}},
        "Configuration": configuration,
    }
    assert message in executions.api.fails(400, "POST", "/workflow/execution", body=body)
    assert executions.queued_ids() == []


def test_unknown_workflow_asset_or_media_are_client_errors(executions: Executions) -> None:
    api = executions.api
    video = {"Video": {"S3Bucket": MEDIA_BUCKET, "S3Key": "upload/missing.mp4"}}
    api.fails(404, "POST", "/workflow/execution", body={"Name": "Ghost", "Input": {"Media": video}})
    api.fails(404, "POST", "/workflow/execution", body={"Name": "Main", "Input": {"AssetId": "nope"}})
    assert "missing.mp4" in api.fails(
        400, "POST", "/workflow/execution", body={"Name": "Main", "Input": {"Media": video}}
    )
    both = {"Media": video, "AssetId": "a"}
    api.fails(400, "POST", "/workflow/execution", body={"Name": "Main", "Input": both})


def test_asset_id_reuses_the_asset_and_lists_by_asset_and_status(executions: Executions) -> None:
    first = executions.submit()
    second = executions.api.ok(
        "POST", "/workflow/execution", body={"Name": "Main", "Input": {"AssetId": first["AssetId"]}}
    )
    assert second["AssetId"] == first["AssetId"]
    assert second["Globals"]["Media"] == first["Globals"]["Media"]
    by_asset = executions.api.ok("GET", f"/workflow/execution/asset/{first['AssetId']}")
    assert [item["Id"] for item in by_asset] == [second["Id"], first["Id"]]  # newest first
    queued = executions.api.ok("GET", "/workflow/execution/status/Queued")
    assert {item["Id"] for item in queued} == {first["Id"], second["Id"]}
    executions.api.fails(400, "GET", "/workflow/execution/status/Sleeping")


def test_list_is_paginated(executions: Executions) -> None:
    ids = {executions.submit(key=f"upload/{n}.mp4")["Id"] for n in range(3)}
    seen: list[str] = []
    query = {"limit": "2"}
    for _ in range(5):
        status, page, headers = executions.api.call("GET", "/workflow/execution", query=query)
        assert status == 200
        seen += [item["Id"] for item in page]
        if "X-Next-Cursor" not in headers:
            break
        query = {"limit": "2", "cursor": headers["X-Next-Cursor"]}
    assert sorted(seen) == sorted(ids)


def test_cancel_queued_then_again_is_a_conflict(executions: Executions) -> None:
    body = executions.submit()
    cancelled = executions.api.ok("DELETE", f"/workflow/execution/{body['Id']}")
    assert cancelled["Status"] == "Cancelled"
    assert executions.api.fails(409, "DELETE", f"/workflow/execution/{body['Id']}")
    executions.api.fails(404, "DELETE", "/workflow/execution/no-such-id")
    # The scheduler drops a cancelled execution's message without starting anything.
    assert scheduler.lambda_handler({}, None)["drop"] == 1
    assert executions.queued_ids() == []
    assert executions.slots.running() == 0


def test_scheduler_admits_up_to_the_limit_and_a_failure_frees_the_slot(executions: Executions) -> None:
    api = executions.api
    api.ok("POST", "/system/configuration", body={"Name": "MaxConcurrentWorkflows", "Value": 1})
    first, second = executions.submit(key="upload/a.mp4"), executions.submit(key="upload/b.mp4")
    counts = scheduler.lambda_handler({}, None)
    assert counts["started"] == 1 and counts["no-slot"] == 1
    records = {
        item["Id"]: item for item in (executions.store.get(first["Id"]), executions.store.get(second["Id"]))
    }
    started = [r for r in records.values() if r and r["Status"] == "Started"]
    assert len(started) == 1 and executions.slots.running() == 1
    running = started[0]
    described = api.sfn.describe_execution(executionArn=running["ExecutionArn"])
    assert described["name"] == running["Id"]
    assert executions.queued_ids() == [other for other in records if other != running["Id"]]

    # Step Functions reports the run failed: Error with the reason, slot freed, exactly once.
    event = _status_event(running, "FAILED", error="States.Runtime", cause="boom")
    assert status_events.lambda_handler(event, None)["Handled"] is True
    assert status_events.lambda_handler(event, None)["Handled"] is False
    ended = executions.store.get(running["Id"])
    assert ended is not None and ended["Status"] == "Error" and ended["Error"] == "States.Runtime: boom"
    assert executions.slots.running() == 0

    assert scheduler.lambda_handler({}, None)["started"] == 1
    assert executions.slots.running() == 1
    assert executions.queued_ids() == []


def test_raising_the_limit_applies_to_the_next_admission(executions: Executions) -> None:
    executions.api.ok("POST", "/system/configuration", body={"Name": "MaxConcurrentWorkflows", "Value": 1})
    ids = [executions.submit(key=f"upload/{n}.mp4")["Id"] for n in range(3)]
    assert scheduler.lambda_handler({}, None)["started"] == 1
    # The two it could not admit are visible in the queue again at once, for the next run.
    assert len(set(executions.queued_ids()) & set(ids)) == 2
    executions.api.ok("POST", "/system/configuration", body={"Name": "MaxConcurrentWorkflows", "Value": 3})
    assert scheduler.lambda_handler({}, None)["started"] == 2
    assert executions.slots.running() == 3


def test_sqs_trigger_reports_unadmitted_messages_as_failures(executions: Executions) -> None:
    executions.api.ok("POST", "/system/configuration", body={"Name": "MaxConcurrentWorkflows", "Value": 1})
    ids = [executions.submit(key=f"upload/{n}.mp4")["Id"] for n in range(2)]
    records = [{"messageId": f"m{n}", "body": f'{{"ExecutionId": "{i}"}}'} for n, i in enumerate(ids)]
    answer = scheduler.lambda_handler({"Records": records}, None)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    # A redelivered message of a Started execution repeats the (idempotent) start and succeeds.
    assert scheduler.lambda_handler({"Records": records[:1]}, None) == {"batchItemFailures": []}
    assert executions.slots.running() == 1


def test_cancel_started_stops_the_machine_and_releases_once(executions: Executions) -> None:
    api = executions.api
    # A machine that is still running when cancelled (a Pass-only one may already have ended).
    api.compiler.holds["Held"] = 30
    api.ok("POST", "/workflow", body=chain("Held", "Detect"))
    api.ok("POST", "/system/configuration", body={"Name": "MaxConcurrentWorkflows", "Value": 2})
    keep = executions.submit(workflow="Held", key="upload/a.mp4")
    cancel = executions.submit(workflow="Held", key="upload/b.mp4")
    assert scheduler.lambda_handler({}, None)["started"] == 2
    assert api.ok("DELETE", f"/workflow/execution/{cancel['Id']}")["Status"] == "Cancelled"
    record = executions.store.get(cancel["Id"])
    assert record is not None
    assert api.sfn.describe_execution(executionArn=record["ExecutionArn"])["status"] == "ABORTED"
    assert executions.slots.running() == 1
    # The ABORTED event that follows changes nothing: the slot was released once.
    assert status_events.lambda_handler(_status_event(record, "ABORTED"), None)["Handled"] is False
    assert executions.slots.running() == 1
    assert executions.store.get(keep["Id"])["Status"] == "Started"  # type: ignore[index]


def test_status_events_of_other_machines_are_ignored(executions: Executions) -> None:
    body = executions.submit()
    record = executions.store.get(body["Id"])
    assert record is not None
    foreign = dict(record, StateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:other")
    assert status_events.lambda_handler(_status_event(foreign, "FAILED"), None)["Handled"] is False
    timed_out = _status_event(record, "TIMED_OUT")
    assert status_events.lambda_handler(timed_out, None)["Handled"] is True
    assert executions.store.get(body["Id"])["Error"] == "the workflow timed out"  # type: ignore[index]


def test_the_section_5_configuration_form_with_operations_and_media_type_flags(
    executions: Executions,
) -> None:
    """Seed 004 section 5: `{stage: {"Operations": {op: {"Enabled", "MediaTypes": {kind: flag}}}}}`."""
    body = executions.submit(
        Configuration={
            "Detect": {
                "Operations": {
                    "Labels": {
                        "Enabled": True,
                        "MediaTypes": {"Video": True, "Audio": False, "Frame": False},
                    },
                    "Faces": {"Enabled": True, "MediaTypes": {"Video": False, "Image": False}},
                }
            }
        }
    )
    detect = body["Configuration"]["Detect"]
    assert detect["Labels"] == {"MediaType": "Video", "Enabled": True, "Threshold": 50}
    assert detect["Faces"] == {"MediaType": "Image", "Enabled": False}  # no flag set: runs on nothing
    switched = executions.submit(
        Configuration={"Detect": {"Operations": {"Faces": {"MediaTypes": {"Video": True, "Image": False}}}}}
    )
    assert switched["Configuration"]["Detect"]["Faces"] == {"MediaType": "Video", "Enabled": True}


def test_the_step_6_configuration_form_is_the_same_override(executions: Executions) -> None:
    plain = executions.submit(Configuration={"Detect": {"Faces": {"MediaType": "Image", "Enabled": False}}})
    wrapped = executions.submit(
        Configuration={"Detect": {"Operations": {"Faces": {"MediaType": "Image", "Enabled": False}}}}
    )
    assert plain["Configuration"] == wrapped["Configuration"]
    assert plain["Configuration"]["Detect"]["Faces"]["Enabled"] is False


def test_a_timeout_shows_the_running_operators_as_timed_out(executions: Executions) -> None:
    api = executions.api
    api.ok("POST", "/workflow/operation", body=operation_body("Late"))
    api.ok("POST", "/workflow/stage", body={"Name": "After", "Operations": ["Late"]})
    api.ok("POST", "/workflow", body=chain("TwoStages", "Detect", "After"))
    body = executions.submit(workflow="TwoStages")
    assert scheduler.lambda_handler({}, None)["started"] == 1
    record = executions.store.get(body["Id"])
    assert record is not None
    # Labels finished and was recorded before the time limit; Faces was still running.
    executions.store.record_stage(
        body["Id"], "Detect", "Not Started", [OperatorOutcome("Labels", "Complete")]
    )

    assert status_events.lambda_handler(_status_event(record, "TIMED_OUT"), None)["Handled"] is True

    got = api.ok("GET", f"/workflow/execution/{body['Id']}")
    detect, after = got["Stages"]
    assert (got["Status"], detect["Status"], after["Status"]) == ("Error", "Error", "Not Started")
    labels, faces = detect["Operations"]
    assert labels["Status"] == "Complete"
    assert faces["Status"] == "Error"
    assert "timed out" in faces["Message"] and "Detect" in faces["Message"]
    assert after["Operations"] == [{"Name": "Late", "Status": "Not Started"}]
    assert executions.slots.running() == 0


def test_a_cancel_shows_the_running_stage_as_stopped(executions: Executions) -> None:
    api = executions.api
    api.compiler.holds["Held"] = 30
    api.ok("POST", "/workflow", body=chain("Held", "Detect"))
    body = executions.submit(workflow="Held")
    assert scheduler.lambda_handler({}, None)["started"] == 1

    api.ok("DELETE", f"/workflow/execution/{body['Id']}")

    [detect] = api.ok("GET", f"/workflow/execution/{body['Id']}")["Stages"]
    assert detect["Status"] == "Error"
    assert [op["Status"] for op in detect["Operations"]] == ["Error", "Error"]
    assert "cancelled" in detect["Operations"][0]["Message"]
