"""Executions through the API: submit (asset, record, queue, nudge), read, list, cancel."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError
from medialens_helper import DataPlane
from medialens_helper.errors import DataplaneError, DataplaneNotFoundError

from api.common.messages import quoted
from api.dataplane import layout
from api.workflow.errors import BadRequestError, ConflictError, ResourceNotFoundError, WorkflowApiError
from api.workflow.executions.lifecycle import ExecutionLifecycle
from api.workflow.executions.schema import ExecutionStatus
from api.workflow.generator.contract import MEDIA_SOURCE
from api.workflow.services.execution_requests import ExecutionRequest, merge_configuration
from api.workflow.services.workflows import WorkflowService
from api.workflow.status_events.interrupted import record_interrupted_stage

CANCEL_REASON = "cancelled by request"


def execution_arn(state_machine_arn: str, execution_id: str) -> str:
    """Execution ARNs follow from the machine's ARN and the execution's name (= its Id)."""
    return f"{state_machine_arn.replace(':stateMachine:', ':execution:', 1)}:{execution_id}"


def media_for_execution(asset_id: str, located: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(Input.Media, Input.MediaSource): media outside the asset's prefix is to be copied into it.

    The copy is made by the machine's first step (`api.workflow.steps.prepare_media`), so the API
    answers at once; operators then read the asset's own copy, as MIE's did.
    """
    media: dict[str, Any] = {}
    source: dict[str, Any] = {}
    for kind, location in located.items():
        if location["S3Key"].startswith(layout.asset_prefix(asset_id)):
            media[kind] = location
            continue
        target = layout.input_key(asset_id, layout.basename(location["S3Key"]))
        media[kind] = {"S3Bucket": location["S3Bucket"], "S3Key": target}
        source[kind] = location
    return media, source


Page = tuple[list[dict[str, Any]], str | None]
Outcomes = dict[str, dict[str, dict[str, Any]]]


def present(record: dict[str, Any], operators: Outcomes | None = None) -> dict[str, Any]:
    """MIE's execution shape plus per-stage and per-operator statuses."""
    body = {
        "Id": record["Id"],
        "Workflow": {"Name": record["Workflow"]},
        "AssetId": record["AssetId"],
        "Status": record["Status"],
        "Created": record["Created"],
        "Modified": record["Modified"],
        "Globals": record.get("Input", {}),
        "Configuration": record.get("Configuration", {}),
    }
    if record.get("Error"):
        body["Error"] = record["Error"]
    if operators is not None:
        stage_status = record.get("StageStatus", {})
        body["Stages"] = [
            {
                "Name": stage["Name"],
                "Status": stage_status.get(stage["Name"], "Not Started"),
                "Operations": [
                    {"Name": op, **_operator_view(operators.get(stage["Name"], {}).get(op))}
                    for op in stage["Operations"]
                ],
            }
            for stage in record.get("Stages", [])
        ]
    return body


def _operator_view(outcome: dict[str, Any] | None) -> dict[str, Any]:
    if outcome is None:
        return {"Status": "Not Started"}
    view = {"Status": outcome["Status"]}
    if outcome.get("Message"):
        view["Message"] = outcome["Message"]
    output = outcome.get("Output")
    if isinstance(output, dict):
        view.update({"MetaData": output.get("MetaData", {}), "Media": output.get("Media", {})})
    return view


class ExecutionService:
    def __init__(
        self,
        *,
        workflows: WorkflowService,
        lifecycle: ExecutionLifecycle,
        sqs: Any,
        queue_url: str,
        stepfunctions: Any,
        dataplane: Callable[[], DataPlane],
        nudge: Callable[[], None],
    ) -> None:
        self._workflows = workflows
        self._lifecycle = lifecycle
        self._store = lifecycle.store
        self._sqs = sqs
        self._queue_url = queue_url
        self._sfn = stepfunctions
        self._dataplane = dataplane
        self._nudge = nudge

    def submit(self, request: ExecutionRequest) -> dict[str, Any]:
        # One read of the definition serves both (a submission is the API's hottest write).
        machine_arn, workflow = self._workflows.deployed(request.Name)
        if not machine_arn:
            raise ConflictError(f"workflow {quoted(request.Name)} has no deployed state machine")
        defaults = self._workflows.configuration_of(workflow)
        configuration = merge_configuration(defaults, request.Configuration)
        asset_id, located = self._asset(request)
        media, source = media_for_execution(asset_id, located)
        execution_input: dict[str, Any] = {"Media": media, "MetaData": {}}
        if source:
            execution_input[MEDIA_SOURCE] = source
        execution_id = str(uuid.uuid4())
        record = self._store.create(
            execution_id=execution_id,
            workflow=request.Name,
            asset_id=asset_id,
            state_machine_arn=str(machine_arn),
            input=execution_input,
            configuration=configuration,
            stages=[{"Name": stage, "Operations": list(ops)} for stage, ops in configuration.items()],
        )
        message = json.dumps({"ExecutionId": execution_id})
        self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=message)
        self._nudge()
        return present(record)

    def _asset(self, request: ExecutionRequest) -> tuple[str, dict[str, Any]]:
        if request.Input.AssetId is not None:
            return self._known_asset(request.Input.AssetId)
        assert request.Input.Media is not None
        kind, location = next(iter(request.Input.Media.items()))
        try:
            # Nothing is read or copied here, whatever the size: the machine's first step copies.
            asset = self._dataplane().create_asset(
                location.S3Bucket, location.S3Key, media_type=kind, copy=False
            )
        except DataplaneNotFoundError as exc:
            raise BadRequestError(f"Input.Media.{kind}: {exc}") from exc
        except DataplaneError as exc:
            if exc.status_code in (400, 413):
                raise BadRequestError(f"Input.Media.{kind}: {exc}") from exc
            raise WorkflowApiError(f"the dataplane could not create the asset: {exc}") from exc
        return str(asset["AssetId"]), {kind: {"S3Bucket": asset["S3Bucket"], "S3Key": asset["S3Key"]}}

    def _known_asset(self, asset_id: str) -> tuple[str, dict[str, Any]]:
        """The media of an asset the dataplane knows, however it was created (MIE read it there too)."""
        try:
            asset = self._dataplane().get_asset(asset_id)
        except DataplaneError as exc:
            if exc.status_code in (400, 404):  # 400: not even an asset id
                raise ResourceNotFoundError(f"asset {quoted(asset_id)} not found") from None
            raise WorkflowApiError(f"the dataplane could not read the asset: {exc}") from exc
        kind = asset.get("MediaType")
        if not kind:
            # Assets from before media types were recorded: what their last execution ran on.
            records, _ = self._store.by_asset(asset_id, 1, None)
            media = records[0]["Input"].get("Media", {}) if records else {}
            kind = next(iter(media), None)
        if not kind:
            raise BadRequestError(
                f"asset {quoted(asset_id)} has no media type (its key {quoted(asset['S3Key'])} does not "
                "tell); start the execution with Input.Media instead"
            )
        return asset_id, {kind: {"S3Bucket": asset["S3Bucket"], "S3Key": asset["S3Key"]}}

    def _record(self, execution_id: str) -> dict[str, Any]:
        record = self._store.get(execution_id)
        if record is None:
            raise ResourceNotFoundError(f"execution {quoted(execution_id)} not found")
        return record

    def get(self, execution_id: str) -> dict[str, Any]:
        record = self._record(execution_id)
        return present(record, self._store.operator_outcomes(record))

    def page(self, limit: int, after: str | None) -> Page:
        records, next_after = self._store.page(limit, after)
        return [present(record) for record in records], next_after

    def by_asset(self, asset_id: str, limit: int, after: str | None) -> Page:
        records, next_after = self._store.by_asset(asset_id, limit, after)
        return [present(record) for record in records], next_after

    def by_status(self, status: str, limit: int, after: str | None) -> Page:
        try:
            wanted = ExecutionStatus(status)
        except ValueError:
            allowed = ", ".join(member.value for member in ExecutionStatus)
            raise BadRequestError(f"unknown status {quoted(status)}; expected one of: {allowed}") from None
        records, next_after = self._store.by_status(wanted.value, limit, after)
        return [present(record) for record in records], next_after

    def cancel(self, execution_id: str) -> dict[str, Any]:
        record = self._record(execution_id)
        if record["Status"] not in (ExecutionStatus.QUEUED, ExecutionStatus.STARTED):
            raise ConflictError(f"execution {quoted(execution_id)} already ended ({record['Status']})")
        if not self._lifecycle.finish(execution_id, ExecutionStatus.CANCELLED, CANCEL_REASON):
            raise ConflictError(f"execution {quoted(execution_id)} ended while it was being cancelled")
        if record["Status"] == ExecutionStatus.STARTED:
            self._stop(record)
            record_interrupted_stage(self._store, record, CANCEL_REASON)
        return present(self._record(execution_id))

    def _stop(self, record: dict[str, Any]) -> None:
        arn = record.get("ExecutionArn") or execution_arn(record["StateMachineArn"], record["Id"])
        try:
            self._sfn.stop_execution(executionArn=arn, error="Cancelled", cause=CANCEL_REASON)
        except ClientError as exc:
            # Not started yet (the scheduler stops it when it sees Cancelled) or already over.
            if exc.response.get("Error", {}).get("Code") != "ExecutionDoesNotExist":
                raise
