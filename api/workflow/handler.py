"""Lambda entry point of the workflow API: `api.workflow.handler.lambda_handler`.

The resolver is built once per container (per thread); configuration, clients and services per invocation
(cheap, and it lets the local runtime and tests change the environment between calls).
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from typing import Any

import boto3
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from api.common.signing_keys import key_from_secret
from api.workflow.app import create_app
from api.workflow.compiler_protocol import LazyCompiler, WorkflowCompiler
from api.workflow.config import ConfigurationError, WorkflowApiConfig
from api.workflow.routes.common import CURRENT_SERVICES
from api.workflow.wiring import build_services

logger = logging.getLogger(__name__)

# A resolver keeps the current event on itself, so one must not serve two requests at once: the
# local runtime calls handlers from several threads. One resolver per thread.
_local = threading.local()


def get_app() -> APIGatewayRestResolver:
    app: APIGatewayRestResolver | None = getattr(_local, "app", None)
    if app is None:
        app = _local.app = create_app()
    return app


def compiler_factory() -> WorkflowCompiler:
    """The state machine generator. Tests replace this function with monkeypatch.

    Called only when a workflow must be compiled (workflow writes and propagation), so every other
    route works without the step Lambda ARNs it needs (a missing one answers 500).
    """
    from api.workflow.generator import StepFunctionArns, WorkflowGenerator

    return WorkflowGenerator(StepFunctionArns.from_env())


@functools.cache
def aws_client(service: str) -> Any:
    """One client per service and container (tests clear this cache between moto contexts)."""
    return boto3.client(service)


@functools.cache
def _secret_key(secret_arn: str | None) -> bytes:
    """Read once per container: the secret does not change while the stack stands."""
    assert secret_arn is not None  # WorkflowApiConfig requires a key or a secret
    return key_from_secret(aws_client("secretsmanager"), secret_arn)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        config = WorkflowApiConfig.from_env()
    except ConfigurationError as exc:
        logger.error("workflow API misconfigured: %s", exc)
        # Outside the resolver (it needs the services), so answer in the proxy format directly.
        return {
            "statusCode": 500,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"Code": "InternalError", "Message": "service misconfigured"}),
            "isBase64Encoded": False,
        }
    services = build_services(
        config,
        dynamodb=aws_client("dynamodb"),
        stepfunctions=aws_client("stepfunctions"),
        lambda_client=aws_client("lambda"),
        # Looked up at call time so monkeypatching `compiler_factory` takes effect.
        compiler=LazyCompiler(lambda: compiler_factory()),
        cursor_signing_key=config.cursor_signing_key or _secret_key(config.cursor_signing_secret_arn),
    )
    token = CURRENT_SERVICES.set(services)
    try:
        return get_app().resolve(event, context)
    finally:
        CURRENT_SERVICES.reset(token)
