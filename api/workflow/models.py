"""Request bodies of the definitions routes, with MIE's field names.

Each model accepts what `GET` returned for it, so a client can fetch, edit and `PUT` back: the
read-only fields the API adds (`Created`, `UsedBy`, ...) are dropped before validation, and
every other unknown key is refused (a typo must not be silently ignored).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from api.engines.models import EngineBlock, EngineMode
from api.workflow.graph import stage_order

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
# Stage references also accept the singleton stage an operation owns, named "_{operation}" as in MIE.
STAGE_REF_PATTERN = r"^_?[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
# A qualifier is $LATEST, a version number or an alias name (Lambda's own rules): a "$" elsewhere
# names no function, and moto's Lambda answered such a name with a 500.
LAMBDA_ARN_PATTERN = (
    r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}"
    r"(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$"
)
ROLE_ARN_PATTERN = r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]+$"
SINGLETON_STAGE_PREFIX = "_"
# Stage and workflow writes are DynamoDB transactions (at most 100 items): these bounds keep them fit.
MAX_OPERATIONS_PER_STAGE = 40
MAX_STAGES_PER_WORKFLOW = 40
MAX_WORKFLOW_TIMEOUT_SECONDS = 365 * 24 * 3600

DefinitionName = Annotated[str, Field(pattern=NAME_PATTERN)]
StageRef = Annotated[str, Field(pattern=STAGE_REF_PATTERN)]
DescriptionText = Annotated[str, Field(max_length=1024)]
RoleArn = Annotated[str, Field(pattern=ROLE_ARN_PATTERN, max_length=2048)]

READ_ONLY_FIELDS = frozenset(
    {
        "Created",
        "Modified",
        "ResourceType",
        "UsedBy",
        "StageName",
        "StateMachineArn",
        "StateMachineAsl",
        "Id",
        "ApiVersion",
    }
)


def singleton_stage_name(operation: str) -> str:
    return f"{SINGLETON_STAGE_PREFIX}{operation}"


def is_singleton_stage(stage: str) -> bool:
    return stage.startswith(SINGLETON_STAGE_PREFIX)


class OperationType(StrEnum):
    SYNC = "Sync"
    ASYNC = "Async"


class MediaType(StrEnum):
    VIDEO = "Video"
    IMAGE = "Image"
    AUDIO = "Audio"
    TEXT = "Text"
    FRAME = "Frame"
    METADATA_ONLY = "MetadataOnly"  # MIE's operators that read only other operators' metadata


class _Definition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Optimistic lock on PUT: when given, the update applies only to this version. Ignored on POST.
    Version: Annotated[StrictInt, Field(ge=1)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _drop_read_only(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if key not in cls._read_only()}
        return data

    @classmethod
    def _read_only(cls) -> frozenset[str]:
        return READ_ONLY_FIELDS


class OperationConfiguration(BaseModel):
    """`MediaType` and `Enabled`, plus any keys the operator's own code reads."""

    model_config = ConfigDict(extra="allow")

    MediaType: MediaType
    Enabled: StrictBool


class Operation(_Definition):
    Name: DefinitionName
    # Optional only for an engine operation, whose type follows from its engineMode.
    Type: OperationType = None  # type: ignore[assignment]
    Configuration: OperationConfiguration
    StartLambdaArn: Annotated[str, Field(pattern=LAMBDA_ARN_PATTERN)] | None = None
    # A Veritone-style HTTP engine instead of Lambda ARNs (api/engines, docs/engines.md).
    Engine: EngineBlock | None = None
    MonitorLambdaArn: Annotated[str, Field(pattern=LAMBDA_ARN_PATTERN)] | None = None
    # MIE's documented request key was "SfnExecutionRole"; its responses said the long name.
    StateMachineExecutionRoleArn: RoleArn | None = Field(
        default=None, validation_alias=AliasChoices("StateMachineExecutionRoleArn", "SfnExecutionRole")
    )
    Description: DescriptionText | None = None

    @model_validator(mode="after")
    def _monitor_iff_async(self) -> Operation:
        if self.Engine is not None:
            return self._engine_operation(self.Engine)
        if self.StartLambdaArn is None:
            raise ValueError("StartLambdaArn is required (or an Engine block instead)")
        if self.Type is None:
            raise ValueError("Type is required (Sync or Async)")
        if self.Type is OperationType.ASYNC and self.MonitorLambdaArn is None:
            raise ValueError("MonitorLambdaArn is required for an Async operation")
        if self.Type is OperationType.SYNC and self.MonitorLambdaArn is not None:
            raise ValueError("MonitorLambdaArn is only allowed for an Async operation")
        return self

    def _engine_operation(self, engine: EngineBlock) -> Operation:
        if self.StartLambdaArn is not None or self.MonitorLambdaArn is not None:
            raise ValueError("Engine replaces StartLambdaArn and MonitorLambdaArn: give one or the other")
        derived = OperationType.SYNC if engine.mode is EngineMode.CHUNK else OperationType.ASYNC
        if self.Type is not None and self.Type is not derived:
            raise ValueError(f"Type must be {derived.value} for a {engine.mode.value} engine (or left out)")
        self.Type = derived
        return self


class Stage(_Definition):
    Name: StageRef
    Operations: Annotated[list[DefinitionName], Field(min_length=1, max_length=MAX_OPERATIONS_PER_STAGE)]
    Description: DescriptionText | None = None

    @classmethod
    def _read_only(cls) -> frozenset[str]:
        # A stage's Configuration in responses is derived from its operations, never stored.
        return READ_ONLY_FIELDS | {"Configuration"}

    @field_validator("Operations")
    @classmethod
    def _unique(cls, operations: list[str]) -> list[str]:
        duplicates = sorted({name for name in operations if operations.count(name) > 1})
        if duplicates:
            raise ValueError(f"operations listed more than once: {', '.join(duplicates)}")
        return operations


# What `GET /workflow/{Name}` shows of each stage beside its transition; dropped from a PUT.
STAGE_VIEW_FIELDS = frozenset({"Name", "Operations", "Configuration"})


def _json_true(value: Any) -> Any:
    # Literal[True] alone also takes 1 (1 == True); the document says the JSON value true.
    if value is not True:
        raise ValueError("must be true")
    return value


class Transition(BaseModel):
    """Where a stage goes: `{"Next": stage}` or `{"End": true}`.

    The stage's `Name`, `Operations` and `Configuration`, which a `GET` adds, are accepted and
    ignored: a stage's operations are changed with `PUT /workflow/stage`.
    """

    model_config = ConfigDict(extra="forbid")

    Next: StageRef | None = None
    End: Annotated[Literal[True], BeforeValidator(_json_true)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _drop_stage_view(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if key not in STAGE_VIEW_FIELDS}
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> Transition:
        if (self.Next is None) == (self.End is None):
            raise ValueError('each stage needs exactly one of "Next" or "End": true')
        return self


class Workflow(_Definition):
    Name: DefinitionName
    StartAt: StageRef
    Stages: Annotated[dict[StageRef, Transition], Field(min_length=1, max_length=MAX_STAGES_PER_WORKFLOW)]
    Description: DescriptionText | None = None
    TimeoutSeconds: Annotated[StrictInt, Field(ge=1, le=MAX_WORKFLOW_TIMEOUT_SECONDS)] | None = None

    @model_validator(mode="after")
    def _one_chain(self) -> Workflow:
        stage_order(self.StartAt, {name: step.Next for name, step in self.Stages.items()})
        return self

    def ordered_stages(self) -> list[str]:
        return stage_order(self.StartAt, {name: step.Next for name, step in self.Stages.items()})


class SystemParameterName(StrEnum):
    MAX_CONCURRENT_WORKFLOWS = "MaxConcurrentWorkflows"


class SystemParameter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    Name: SystemParameterName
    # MIE clients send the value as a string ("10"); digits are accepted, booleans are not.
    Value: Annotated[
        int,
        Field(ge=1, le=1000),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "integer", "minimum": 1, "maximum": 1000},
                    {"type": "string", "pattern": r"^\s*[0-9]+\s*$"},
                ],
                "description": "A whole number 1-1000, as a number or a string of digits",
            }
        ),
    ]

    @field_validator("Value", mode="before")
    @classmethod
    def _no_bool(cls, value: Any) -> Any:
        if isinstance(value, bool) or (isinstance(value, str) and not re.fullmatch(r"\s*[0-9]+\s*", value)):
            raise ValueError("Value must be a whole number")
        return value
