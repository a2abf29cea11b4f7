"""Lambda entry point of the scheduler: `api.workflow.scheduler.handler.lambda_handler`.

Triggered by an asynchronous invoke (the API after a submit, a finished execution after freeing a
slot) and by a periodic rule; both drain the queue while slots are free, deleting a message only
after its start succeeded (or it had nothing left to start). The periodic run first reconciles the
slots with what really runs (`reconcile`). Runs may overlap safely. An event with
SQS `Records` is handled too (those that found no slot come back as `batchItemFailures`), though
the platform wires no event source: Lambda's poller would hide a waiting message for the queue's
whole visibility timeout.

Environment: WORKFLOW_EXECUTION_TABLE, WORKFLOW_DEFINITIONS_TABLE, EXECUTION_QUEUE_URL, and optional
WORKFLOW_WAIT_BASE_SECONDS / WORKFLOW_WAIT_MAX_SECONDS (the async poll backoff; the local runtime
shortens it).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from api.workflow.executions import environment as env
from api.workflow.generator import contract as c
from api.workflow.models import SystemParameterName
from api.workflow.scheduler.admission import Admission, Outcome
from api.workflow.scheduler.reconcile import Reconciler, is_scheduled_run
from api.workflow.services.system import SystemService
from api.workflow.table import DefinitionsTable

logger = logging.getLogger(__name__)

WORKFLOW_WAIT_BASE_SECONDS = "WORKFLOW_WAIT_BASE_SECONDS"
WORKFLOW_WAIT_MAX_SECONDS = "WORKFLOW_WAIT_MAX_SECONDS"
MAX_MESSAGES_PER_RUN = 500  # one run stays short; the next nudge or tick continues


def _settings() -> dict[str, int]:
    settings: dict[str, int] = {}
    for variable, key in (
        (WORKFLOW_WAIT_BASE_SECONDS, c.WAIT_BASE_SETTING),
        (WORKFLOW_WAIT_MAX_SECONDS, c.WAIT_MAX_SETTING),
    ):
        if os.environ.get(variable, "").isdigit():
            settings[key] = int(os.environ[variable])
    return settings


def build_admission() -> Admission:
    definitions = DefinitionsTable(env.aws_client("dynamodb"), env.setting(env.WORKFLOW_DEFINITIONS_TABLE))
    system = SystemService(definitions)
    return Admission(
        env.lifecycle_from_env(),
        env.aws_client("stepfunctions"),
        lambda: system.value(SystemParameterName.MAX_CONCURRENT_WORKFLOWS),
        _settings(),
    )


def _execution_id(body: str) -> str | None:
    try:
        value = json.loads(body).get("ExecutionId")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and value else None


def handle_records(admission: Admission, records: list[dict[str, Any]]) -> dict[str, Any]:
    failures = []
    for record in records:
        execution_id = _execution_id(record.get("body", ""))
        if execution_id is None:
            logger.warning("dropping malformed queue message %s", record.get("messageId"))
            continue
        if admission.admit(execution_id) in (Outcome.NO_SLOT, Outcome.RETRY):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def drain(admission: Admission, sqs: Any, queue_url: str) -> dict[str, int]:
    counts = {outcome.value: 0 for outcome in Outcome}
    handled = 0
    while handled < MAX_MESSAGES_PER_RUN:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
            "Messages", []
        )
        if not messages:
            break
        blocked = False
        released: list[dict[str, Any]] = []
        for message in messages:
            handled += 1
            execution_id = _execution_id(message.get("Body", ""))
            outcome = Outcome.DROP if execution_id is None or blocked else admission.admit(execution_id)
            if blocked or outcome in (Outcome.NO_SLOT, Outcome.RETRY):
                blocked = blocked or outcome is Outcome.NO_SLOT
                released.append(message)
                continue
            counts[outcome.value] += 1
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        _release(sqs, queue_url, released)
        if blocked:
            counts[Outcome.NO_SLOT.value] += 1
            break
    return counts


def _release(sqs: Any, queue_url: str, messages: list[dict[str, Any]]) -> None:
    """Make `messages` visible again at once, in one request: the next freed slot's nudge must
    find them (behind a full set of slots, a run handed back each of its ten one request each)."""
    if not messages:
        return
    entries = [
        {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"], "VisibilityTimeout": 0}
        for index, message in enumerate(messages)
    ]
    failed = sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=entries).get("Failed", [])
    if failed:  # they come back after the queue's visibility timeout all the same
        logger.warning("could not release %d queue messages at once: %s", len(failed), failed)


def reconcile() -> dict[str, int]:
    """Free the slots of executions that no longer run; a failure is logged, never blocks the drain."""
    try:
        return Reconciler(env.lifecycle_from_env(), env.aws_client("stepfunctions")).run()
    except Exception:
        logger.exception("reconciling the slots failed; the next periodic run tries again")
        return {}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    admission = build_admission()
    records = event.get("Records") if isinstance(event, dict) else None
    if records:
        return handle_records(admission, records)
    reconciled = reconcile() if is_scheduled_run(event) else {}
    counts: dict[str, Any] = dict(
        drain(admission, env.aws_client("sqs"), env.setting(env.EXECUTION_QUEUE_URL))
    )
    if reconciled:
        counts["reconciled"] = reconciled
    logger.info("scheduler run: %s", counts)
    return counts
