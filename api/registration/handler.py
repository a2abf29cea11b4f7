"""Lambda entry point of the library registration: `api.registration.handler.lambda_handler`.

The on-event handler of a CDK custom-resource Provider. Create and Update set MaxConcurrentWorkflows
and register the library; Update also removes what the previous properties had and the new ones do
not; Delete removes what was registered and never fails. An exception fails the resource with its
message, so every message says which property or definition is wrong.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from medialens_helper import HttpTransport, Transport
from medialens_helper.workflow_client import WorkflowClient

from api.registration.apply import LibraryRegistrar
from api.registration.properties import RegistrationProperties, parse_properties
from api.registration.transport import DEFAULT_BUDGET_SECONDS, RetryingTransport

logger = Logger(service="library-registration")

PHYSICAL_ID = "medialens-library-registration"

# A delete waits little: an API that is already gone must not hold the stack's removal.
DELETE_BUDGET_SECONDS = 10.0
# One call's own limit; the retry budget bounds the invocation as a whole.
REQUEST_TIMEOUT_SECONDS = 20.0


def signed_transport(endpoint: str) -> Transport:
    """SigV4 with the function role's credentials, as any client of the deployed API."""
    return HttpTransport(endpoint, session=boto3.Session(), timeout=REQUEST_TIMEOUT_SECONDS)


def registrar_for(properties: RegistrationProperties, *, deleting: bool = False) -> LibraryRegistrar:
    budget = DELETE_BUDGET_SECONDS if deleting else DEFAULT_BUDGET_SECONDS
    transport = RetryingTransport(signed_transport(properties.WorkflowApiEndpoint), budget_seconds=budget)
    return LibraryRegistrar(WorkflowClient(transport))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    del context
    request_type = event.get("RequestType")
    physical_id = str(event.get("PhysicalResourceId") or PHYSICAL_ID)
    if request_type == "Delete":
        return {"PhysicalResourceId": physical_id, "Data": _delete(event.get("ResourceProperties", {}))}
    if request_type not in ("Create", "Update"):
        raise ValueError(f"unknown RequestType {request_type!r}: expected Create, Update or Delete")
    # Both parsed before any call: bad input leaves the API as it was.
    desired = parse_properties(event.get("ResourceProperties", {}))
    previous = None
    if request_type == "Update":
        try:
            previous = parse_properties(event.get("OldResourceProperties", {}))
        except ValueError as exc:  # an older, unreadable shape: register, remove nothing
            logger.warning("previous properties unreadable: nothing removed", extra={"reason": str(exc)})
    outcome = registrar_for(desired).apply(desired, previous)
    logger.info("library registered", extra=outcome.as_data())
    return {"PhysicalResourceId": physical_id, "Data": outcome.as_data()}


def _delete(raw: Any) -> dict[str, str]:
    """Best effort, never raising: a failing Delete would block the stack's removal."""
    try:
        registered = parse_properties(raw)
    except ValueError as exc:
        # Nothing valid was ever registered from these properties: nothing to remove.
        logger.warning("delete with unreadable properties: nothing removed", extra={"reason": str(exc)})
        return {}
    try:
        outcome = registrar_for(registered, deleting=True).remove(registered)
    except Exception:  # e.g. no credentials to sign with; the stack must still go
        logger.exception("delete could not reach the workflow API: nothing removed")
        return {}
    logger.info("library removed", extra=outcome.as_data())
    return outcome.as_data()
