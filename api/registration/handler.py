"""Lambda entry point of the library registration: `api.registration.handler.lambda_handler`.

The on-event handler of a CDK custom-resource Provider. Create and Update register the library
(and set MaxConcurrentWorkflows); Update also removes what the previous properties had and the new
ones do not; Delete removes what was registered. An exception fails the resource with its message.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from medialens_helper import HttpTransport
from medialens_helper.workflow_client import WorkflowClient

from api.registration.apply import LibraryRegistrar
from api.registration.properties import RegistrationProperties, parse_properties
from api.registration.transport import DEFAULT_BUDGET_SECONDS, RetryingTransport

logger = Logger(service="library-registration")

PHYSICAL_ID = "medialens-library-registration"


# A delete waits little: an API that is already gone must not hold the stack's removal.
DELETE_RETRY_BUDGET_SECONDS = 10.0


def registrar_for(properties: RegistrationProperties, *, deleting: bool = False) -> LibraryRegistrar:
    """The registrar speaking SigV4 to the deployed workflow API (replaced in tests)."""
    transport = HttpTransport(properties.WorkflowApiEndpoint, session=boto3.Session())
    budget = DELETE_RETRY_BUDGET_SECONDS if deleting else DEFAULT_BUDGET_SECONDS
    return LibraryRegistrar(WorkflowClient(RetryingTransport(transport, budget_seconds=budget)))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    del context
    request_type = event.get("RequestType")
    physical_id = str(event.get("PhysicalResourceId") or PHYSICAL_ID)
    if request_type == "Delete":
        try:
            registered = parse_properties(event.get("ResourceProperties", {}))
        except ValueError as exc:
            # Nothing valid was ever registered from these properties: nothing to remove.
            logger.warning("delete with unreadable properties: nothing removed", extra={"reason": str(exc)})
            return {"PhysicalResourceId": physical_id}
        outcome = registrar_for(registered, deleting=True).remove(registered)
        return {"PhysicalResourceId": physical_id, "Data": outcome.as_data()}
    if request_type not in ("Create", "Update"):
        raise ValueError(f"unknown RequestType {request_type!r}: expected Create, Update or Delete")
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
