"""`GET|POST /system/configuration`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.router import Router

from api.workflow.models import SystemParameter
from api.workflow.routes.common import errors, services

router = Router()


@router.get("/system/configuration", summary="List system configuration parameters")
def get_system_configuration() -> list[dict[str, Any]]:
    return services(router).system.list()


@router.post("/system/configuration", summary="Set a system configuration parameter", responses=errors(400))
def set_system_configuration(body: SystemParameter) -> dict[str, Any]:
    return services(router).system.set(body)
