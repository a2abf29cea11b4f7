"""The workflow API's configuration, read from the environment.

    WORKFLOW_DEFINITIONS_TABLE  DynamoDB table of operations, stages, workflows and the system
                                configuration (one table; key design in `table.py`)      required
    WORKFLOW_EXECUTION_TABLE    executions table, used by the execution routes            optional
    CURSOR_SIGNING_KEY          HMAC key signing list cursors             this or the next
    CURSOR_SIGNING_SECRET_ARN   Secrets Manager secret holding that key (deployed)
    STEP_FUNCTIONS_ROLE_ARN     role each workflow's state machine runs as               required
    STATE_MACHINE_PREFIX        state machines are named "{prefix}-{workflow}"           required
    OPERATOR_INVOKE_TAG         `key=value`, the tag an operator's functions need for the
                                workflows to invoke them (named in the 400 when missing)  optional

A missing variable is a deployment fault (500), never blamed on the client.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

WORKFLOW_DEFINITIONS_TABLE = "WORKFLOW_DEFINITIONS_TABLE"
WORKFLOW_EXECUTION_TABLE = "WORKFLOW_EXECUTION_TABLE"
CURSOR_SIGNING_KEY = "CURSOR_SIGNING_KEY"
CURSOR_SIGNING_SECRET_ARN = "CURSOR_SIGNING_SECRET_ARN"
STEP_FUNCTIONS_ROLE_ARN = "STEP_FUNCTIONS_ROLE_ARN"
STATE_MACHINE_PREFIX = "STATE_MACHINE_PREFIX"
OPERATOR_INVOKE_TAG = "OPERATOR_INVOKE_TAG"

# State machine names are limited to 80 characters and workflow names to 64, so with the "-"
# separator the prefix may use at most 15.
PREFIX_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,14}$")


class ConfigurationError(RuntimeError):
    """A required environment variable is missing or malformed: a deployment fault."""


@dataclass(frozen=True)
class WorkflowApiConfig:
    definitions_table: str
    execution_table: str | None
    cursor_signing_key: bytes | None
    cursor_signing_secret_arn: str | None
    state_machine_role_arn: str
    state_machine_prefix: str
    operator_invoke_tag: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WorkflowApiConfig:
        env = os.environ if environ is None else environ
        required = (
            WORKFLOW_DEFINITIONS_TABLE,
            STEP_FUNCTIONS_ROLE_ARN,
            STATE_MACHINE_PREFIX,
        )
        missing = [name for name in required if not env.get(name)]
        if missing:
            raise ConfigurationError(f"missing environment variables: {', '.join(missing)}")
        if not env.get(CURSOR_SIGNING_KEY) and not env.get(CURSOR_SIGNING_SECRET_ARN):
            raise ConfigurationError(f"set {CURSOR_SIGNING_KEY} or {CURSOR_SIGNING_SECRET_ARN}")
        prefix = env[STATE_MACHINE_PREFIX]
        if not PREFIX_PATTERN.match(prefix):
            raise ConfigurationError(f"{STATE_MACHINE_PREFIX} must match {PREFIX_PATTERN.pattern}")
        return cls(
            definitions_table=env[WORKFLOW_DEFINITIONS_TABLE],
            execution_table=env.get(WORKFLOW_EXECUTION_TABLE) or None,
            cursor_signing_key=env[CURSOR_SIGNING_KEY].encode("utf-8")
            if env.get(CURSOR_SIGNING_KEY)
            else None,
            cursor_signing_secret_arn=env.get(CURSOR_SIGNING_SECRET_ARN) or None,
            state_machine_role_arn=env[STEP_FUNCTIONS_ROLE_ARN],
            state_machine_prefix=prefix,
            operator_invoke_tag=env.get(OPERATOR_INVOKE_TAG) or None,
        )
