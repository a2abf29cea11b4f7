#!/usr/bin/env python3
"""CDK entry point: `npx cdk synth` / `npx cdk deploy` from the repository root (see docs/deploy.md)."""

import os

# jsii warns on every run under Node 20 before any import of aws_cdk; the CLI pins are tested on it.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from infrastructure.app_factory import build_app  # after the environment is set

app, _ = build_app()
app.synth()
