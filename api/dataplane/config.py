"""The dataplane API's configuration, read from the environment on each invocation.

Reading is cheap and lets the cached app notice a changed environment (tests, local runtime);
the expensive parts (clients, the signing key) are cached per configuration in `services`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from medialens_helper import settings

from api.workflow.executions.environment import WORKFLOW_EXECUTION_TABLE


class ConfigurationError(RuntimeError):
    """A required environment variable is missing: a deployment fault, not a client one."""


@dataclass(frozen=True)
class DataplaneConfig:
    bucket: str
    table: str
    stream: str
    signing_key: str | None
    signing_secret_arn: str | None
    # The workflow executions table; without it no execution is checked before an asset delete.
    execution_table: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DataplaneConfig:
        env = os.environ if environ is None else environ
        missing = [
            name
            for name in (settings.DATAPLANE_BUCKET, settings.DATAPLANE_TABLE, settings.DATAPLANE_STREAM)
            if not env.get(name)
        ]
        if missing:
            raise ConfigurationError(f"missing environment variables: {', '.join(missing)}")
        key = env.get(settings.CURSOR_SIGNING_KEY) or None
        arn = env.get(settings.CURSOR_SIGNING_SECRET_ARN) or None
        if key is None and arn is None:
            raise ConfigurationError(
                f"set {settings.CURSOR_SIGNING_KEY} or {settings.CURSOR_SIGNING_SECRET_ARN}"
            )
        return cls(
            bucket=env[settings.DATAPLANE_BUCKET],
            table=env[settings.DATAPLANE_TABLE],
            stream=env[settings.DATAPLANE_STREAM],
            signing_key=key,
            signing_secret_arn=arn,
            execution_table=env.get(WORKFLOW_EXECUTION_TABLE) or None,
        )
