"""Builds the CDK app; `app.py` runs it, the tests build it once per session with their own context."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

from infrastructure.stack import MedialensStack

DEFAULT_STACK_NAME = "Medialens"
STACK_NAME_CONTEXT = "stackName"
# Set it to make synthesis reproducible (the tests do); otherwise each synthesis stamps its time.
APPLIED_AT_CONTEXT = "medialens:appliedAt"
# True: layers are not bundled (no pip download), for template checks; never for a deploy.
SKIP_BUNDLING_CONTEXT = "medialens:skipBundling"
DESCRIPTION = "Medialens: serverless media-analysis workflows (MIE successor)"


def build_app(context: Mapping[str, Any] | None = None, *, nag: bool = True) -> tuple[App, MedialensStack]:
    app = App(context=dict(context) if context is not None else None)
    if str(app.node.try_get_context(SKIP_BUNDLING_CONTEXT)).lower() == "true":
        # CDK's own switch; the CLI refuses `aws:` keys from the command line, so it is set here.
        app.node.set_context("aws:cdk:bundling-stacks", [])
    name = str(app.node.try_get_context(STACK_NAME_CONTEXT) or DEFAULT_STACK_NAME)
    applied_at = str(app.node.try_get_context(APPLIED_AT_CONTEXT) or datetime.now(UTC).isoformat())
    stack = MedialensStack(app, name, applied_at=applied_at, description=DESCRIPTION)
    if nag:
        from infrastructure.nag import acknowledge_findings

        acknowledge_findings(stack)
        Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack
