"""The body of `POST /workflow/execution`, and the per-key merge of its configuration override."""

from __future__ import annotations

import copy
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.common.messages import quoted
from api.workflow.errors import BadRequestError
from api.workflow.models import NAME_PATTERN

MediaKind = Literal["Video", "Image", "Audio", "Text"]


class S3Object(BaseModel):
    model_config = ConfigDict(extra="forbid")

    S3Bucket: Annotated[str, Field(min_length=3, max_length=63)]
    S3Key: Annotated[str, Field(min_length=1, max_length=1024)]


class ExecutionInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    Media: dict[MediaKind, S3Object] | None = None
    AssetId: Annotated[str, Field(min_length=1, max_length=128)] | None = None

    @model_validator(mode="after")
    def _media_or_asset(self) -> ExecutionInput:
        if (self.Media is None) == (self.AssetId is None):
            raise ValueError("Input needs exactly one of Media or AssetId")
        if self.Media is not None and len(self.Media) != 1:
            raise ValueError("Input.Media needs exactly one media object (Video, Image, Audio or Text)")
        return self


class ExecutionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    Name: Annotated[str, Field(pattern=NAME_PATTERN)]
    Input: ExecutionInput
    Configuration: dict[str, dict[str, dict[str, Any]]] = Field(default_factory=dict)


def merge_configuration(
    defaults: dict[str, dict[str, dict[str, Any]]], override: dict[str, dict[str, dict[str, Any]]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Defaults with the override applied key by key; an unknown stage or operator is a 400."""
    merged = copy.deepcopy(defaults)
    for stage, operators in override.items():
        if stage not in merged:
            raise BadRequestError(
                f"Configuration names stage {quoted(stage)}, which the workflow does not run"
            )
        for operator, values in operators.items():
            if operator not in merged[stage]:
                raise BadRequestError(
                    f"Configuration names operator {quoted(operator)}, not in stage {quoted(stage)}"
                )
            if "Enabled" in values and not isinstance(values["Enabled"], bool):
                raise BadRequestError(f"Configuration.{stage}.{operator}.Enabled must be true or false")
            merged[stage][operator].update(values)
    return merged
