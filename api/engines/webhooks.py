"""The heartbeat and result webhooks stream and batch engines post to (API Gateway proxy events).

    POST /tasks/{task}/{secret}/heartbeat  {"status": "running"|"complete"|"failed", "bytesRead",
        "bytesWritten", "messagesWritten", "infoMsg" (or the docs' "infoMs"), "failureReason"
        (required when failed, one of the toolkit's values), "failureMsg"}            → 204
    POST /tasks/{task}/{secret}/result     {"output": <VTN>, "startOffsetMs", "endOffsetMs",
        "chunkContext", "outputFolderID", "chunk-metadata-*", "multipart"}            → 204

A wrong or expired secret, or an unknown task, is a 403 and stores nothing (the same answer for
each, so a caller learns nothing). A malformed body is a 400 saying what is wrong. No SigV4: the
engine cannot sign; the per-task secret in the URL (only its SHA-256 is stored) is the proof.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import boto3
from botocore.exceptions import ClientError
from medialens_helper import settings

from api.engines.tasks import (
    FAILURE_REASONS,
    HeartbeatStatus,
    heartbeat_key,
    result_key,
    secret_matches,
    task_key,
    task_prefix,
)

# A Lambda proxy invocation carries at most 6 MB: the body, JSON-escaped inside the event, plus
# headers and request context. 5 MiB leaves that envelope room, so an oversized body gets this
# handler's 413 naming the limit rather than API Gateway's bare error (above 10 MB, its own 413).
MAX_BODY_BYTES = 5 * 1024 * 1024
_ENDED_WAIT = frozenset({"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"})


class WebhookRefusedError(Exception):
    """A webhook call refused: `status` is the HTTP answer, the message says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _answer(status: int, message: str | None = None) -> dict[str, Any]:
    body = "" if message is None else json.dumps({"Message": message})
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": body}


def lambda_handler(event: dict[str, Any], context: Any, session: Any = None) -> dict[str, Any]:
    session = session or boto3.session.Session()
    s3 = session.client("s3")
    bucket = os.environ[settings.DATAPLANE_BUCKET]
    try:
        prefix, kind, record = _authorise(event, s3, bucket)
        body = parse_body(event.get("body") or "")
        if kind == "heartbeat":
            heartbeat = parse_heartbeat(body)
            s3.put_object(Bucket=bucket, Key=heartbeat_key(prefix), Body=json.dumps(heartbeat).encode())
            _wake(session.client("stepfunctions"), str(record.get("TaskToken", "")), heartbeat["status"])
        else:
            raw = json.dumps(parse_result(body), sort_keys=True).encode()
            s3.put_object(Bucket=bucket, Key=result_key(prefix, raw), Body=raw)
    except WebhookRefusedError as refused:
        return _answer(refused.status, str(refused))
    return _answer(204)


def _authorise(event: dict[str, Any], s3: Any, bucket: str) -> tuple[str, str, dict[str, Any]]:
    parts = str(event.get("path", "")).strip("/").split("/")
    if event.get("httpMethod") != "POST" or len(parts) != 4 or parts[0] != "tasks":
        raise WebhookRefusedError(404, "not found: POST /tasks/{task}/{secret}/heartbeat or /result")
    _, task, secret, kind = parts
    if kind not in ("heartbeat", "result"):
        raise WebhookRefusedError(404, "not found: POST /tasks/{task}/{secret}/heartbeat or /result")
    forbidden = WebhookRefusedError(403, "forbidden: unknown task, wrong secret or past the task's maxTTL")
    prefix = task_prefix(task)
    if prefix is None:
        raise forbidden
    try:
        record = json.loads(s3.get_object(Bucket=bucket, Key=task_key(prefix))["Body"].read())
    except ClientError as exc:
        raise forbidden from exc
    if not secret_matches(secret, str(record.get("SecretSha256", ""))) or time.time() > record["ExpiresAt"]:
        raise forbidden
    return prefix, kind, record


def _wake(stepfunctions: Any, token: str, status: str) -> None:
    """Tell the waiting machine: a heartbeat extends its wait, `complete` / `failed` ends it."""
    if not token:
        return
    try:
        if status == HeartbeatStatus.RUNNING:
            stepfunctions.send_task_heartbeat(taskToken=token)
        else:
            stepfunctions.send_task_success(taskToken=token, output=json.dumps({"status": status}))
    except ClientError as exc:
        # The wait is over (timed out, already told, execution stopped): the heartbeat is still kept.
        if exc.response.get("Error", {}).get("Code") not in _ENDED_WAIT:
            raise


def parse_body(raw: str | bytes) -> dict[str, Any]:
    """A webhook's JSON object body; WebhookRefusedError 413 / 400 when too large or not an object."""
    size = len(raw.encode("utf-8", "surrogatepass")) if isinstance(raw, str) else len(raw)
    if size > MAX_BODY_BYTES:
        raise WebhookRefusedError(413, f"body larger than {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise WebhookRefusedError(400, f"body is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise WebhookRefusedError(400, "body must be a JSON object")
    return body


def parse_heartbeat(body: dict[str, Any]) -> dict[str, Any]:
    """The heartbeat as kept (`at` = now, `infoMsg` from either spelling); 400 when malformed."""
    status = body.get("status")
    if status not in {member.value for member in HeartbeatStatus}:
        raise WebhookRefusedError(400, "status must be running, complete or failed")
    reason = body.get("failureReason")
    if status == HeartbeatStatus.FAILED and reason not in FAILURE_REASONS:
        raise WebhookRefusedError(
            400, f"failureReason is required when failed, one of: {', '.join(sorted(FAILURE_REASONS))}"
        )
    if reason is not None and reason not in FAILURE_REASONS:
        raise WebhookRefusedError(400, f"unknown failureReason {reason!r}")
    for counter in ("bytesRead", "bytesWritten", "messagesWritten"):
        if counter in body and (isinstance(body[counter], bool) or not isinstance(body[counter], int)):
            raise WebhookRefusedError(400, f"{counter} must be an integer")
    return {
        "status": status,
        "at": time.time(),
        "infoMsg": body.get("infoMsg", body.get("infoMs")),
        "failureReason": reason,
        "failureMsg": body.get("failureMsg"),
        **{key: body[key] for key in ("bytesRead", "bytesWritten", "messagesWritten") if key in body},
    }


def parse_result(body: dict[str, Any]) -> dict[str, Any]:
    """The result as kept (`output` a VTN object, offsets non-negative integers); 400 when malformed."""
    output = body.get("output")
    if not isinstance(output, dict):
        raise WebhookRefusedError(400, "output must be a VTN document (a JSON object)")
    for key in ("startOffsetMs", "endOffsetMs"):
        if key in body and (isinstance(body[key], bool) or not isinstance(body[key], int) or body[key] < 0):
            raise WebhookRefusedError(400, f"{key} must be a non-negative integer")
    return {key: value for key, value in body.items() if key != "multipart" or isinstance(value, bool)}
