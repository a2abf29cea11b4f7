"""The ARNs of the platform's own step Lambdas that every generated machine calls."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

OPERATOR_FILTER_LAMBDA_ARN = "OPERATOR_FILTER_LAMBDA_ARN"
OPERATOR_FAILED_LAMBDA_ARN = "OPERATOR_FAILED_LAMBDA_ARN"
COMPLETE_STAGE_LAMBDA_ARN = "COMPLETE_STAGE_LAMBDA_ARN"
COMPLETE_WORKFLOW_LAMBDA_ARN = "COMPLETE_WORKFLOW_LAMBDA_ARN"
FAIL_WORKFLOW_LAMBDA_ARN = "FAIL_WORKFLOW_LAMBDA_ARN"
PREPARE_MEDIA_LAMBDA_ARN = "PREPARE_MEDIA_LAMBDA_ARN"

ENVIRONMENT_VARIABLES: Mapping[str, str] = {
    "operator_filter": OPERATOR_FILTER_LAMBDA_ARN,
    "operator_failed": OPERATOR_FAILED_LAMBDA_ARN,
    "complete_stage": COMPLETE_STAGE_LAMBDA_ARN,
    "complete_workflow": COMPLETE_WORKFLOW_LAMBDA_ARN,
    "fail_workflow": FAIL_WORKFLOW_LAMBDA_ARN,
    "prepare_media": PREPARE_MEDIA_LAMBDA_ARN,
}

# The platform's engine-operator Lambdas (api/engines): optional, a deployment without them
# refuses only workflows that use an engine operation.
ENGINE_ENVIRONMENT_VARIABLES: Mapping[str, str] = {
    "engine_prepare": "ENGINE_PREPARE_LAMBDA_ARN",
    "engine_chunks": "ENGINE_CHUNKS_LAMBDA_ARN",
    "engine_merge": "ENGINE_MERGE_LAMBDA_ARN",
}
# Stream and batch engines (Async operators fed by the webhooks): optional as the chunk engine's.
ASYNC_ENGINE_ENVIRONMENT_VARIABLES: Mapping[str, str] = {
    "engine_start": "ENGINE_START_LAMBDA_ARN",
    "engine_finish": "ENGINE_FINISH_LAMBDA_ARN",
}


class MissingStepFunctionArnError(RuntimeError):
    """A step Lambda's ARN is not configured: a deployment fault."""


@dataclass(frozen=True)
class StepFunctionArns:
    operator_filter: str
    operator_failed: str
    complete_stage: str
    complete_workflow: str
    fail_workflow: str
    prepare_media: str
    engine_prepare: str = ""
    engine_chunks: str = ""
    engine_merge: str = ""
    engine_start: str = ""
    engine_finish: str = ""

    def __post_init__(self) -> None:
        optional = {*ENGINE_ENVIRONMENT_VARIABLES, *ASYNC_ENGINE_ENVIRONMENT_VARIABLES}
        bad = [
            f.name
            for f in fields(self)
            if not str(getattr(self, f.name)).startswith("arn:")
            and not (f.name in optional and not getattr(self, f.name))
        ]
        if bad:
            raise ValueError(f"step Lambda ARNs must be ARNs: {', '.join(bad)}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StepFunctionArns:
        env = os.environ if environ is None else environ
        missing = [name for name in ENVIRONMENT_VARIABLES.values() if not env.get(name)]
        if missing:
            raise MissingStepFunctionArnError(f"missing environment variables: {', '.join(missing)}")
        variables = {**ENGINE_ENVIRONMENT_VARIABLES, **ASYNC_ENGINE_ENVIRONMENT_VARIABLES}
        engines = {field: env.get(name, "") for field, name in variables.items()}
        return cls(**{field: env[name] for field, name in ENVIRONMENT_VARIABLES.items()}, **engines)

    @property
    def has_engines(self) -> bool:
        return all((self.engine_prepare, self.engine_chunks, self.engine_merge))

    @property
    def has_async_engines(self) -> bool:
        return all((self.engine_start, self.engine_finish))
