"""Lambda entry point of the Dashboards import: `api.dashboards.handler.lambda_handler`.

The on-event handler of a CDK custom-resource Provider, deployed with the analytics pipeline.
Create and Update put the index template and import the saved objects (`importer.py`), so every
deploy brings Dashboards up to date; Delete does nothing (the domain goes with the stack, or keeps
what a user saved). Properties: `DomainEndpoint` (https://...), `IndexPrefix`; the region is the
function's own.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from api.dashboards.importer import DashboardsImporter
from api.search.config import DEFAULT_INDEX_PREFIX

logger = Logger(service="dashboards-import")
PHYSICAL_ID = "medialens-dashboards-objects"


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request_type = event.get("RequestType")
    if request_type == "Delete":
        return {"PhysicalResourceId": event.get("PhysicalResourceId", PHYSICAL_ID)}
    properties = event.get("ResourceProperties") or {}
    endpoint = str(properties.get("DomainEndpoint") or "")
    if not endpoint.startswith("https://"):
        raise ValueError(f"DomainEndpoint must be an https URL, got {endpoint!r}")
    prefix = str(properties.get("IndexPrefix") or DEFAULT_INDEX_PREFIX)
    counts = DashboardsImporter(endpoint, os.environ["AWS_REGION"]).apply(prefix)
    logger.info("Dashboards objects imported", extra=counts)
    return {"PhysicalResourceId": PHYSICAL_ID, "Data": counts}
