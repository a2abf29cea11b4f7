"""The body of `POST /workflow/execution`, and the per-key merge of its configuration override."""

from __future__ import annotations

import copy
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.common.messages import quoted
from api.workflow.errors import BadRequestError
from api.workflow.models import NAME_PATTERN, MediaType

MediaKind = Literal["Video", "Image", "Audio", "Text"]
# The merged Configuration travels in the execution's state machine input, and each stage's share
# again in its operators' events: bounded so that input stays far below Step Functions' 256 KiB
# payload limit (and the execution record below DynamoDB's 400 KB item), leaving the rest of that
# room to the operators' MetaData. An execution the API accepts never fails for its own size.
MAX_CONFIGURATION_BYTES = 32 * 1024


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


# Seed 004, section 5, wraps a stage's operators in "Operations" and names media as a map of flags.
OPERATIONS_WRAPPER = "Operations"
MEDIA_TYPES_FLAGS = "MediaTypes"
_MEDIA_TYPES = tuple(kind.value for kind in MediaType)


def merge_configuration(
    defaults: dict[str, dict[str, dict[str, Any]]], override: dict[str, dict[str, dict[str, Any]]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Defaults with the override applied key by key; an unknown stage or operator is a 400.

    The override is `{stage: {operator: {key: value}}}` (seed 004, step 6), or the section-5 form
    `{stage: {"Operations": {operator: {"Enabled": ..., "MediaTypes": {"Video": true, ...}}}}}`.

    A merged Configuration over MAX_CONFIGURATION_BYTES (as compact JSON) is a 400 too.
    """
    merged = copy.deepcopy(defaults)
    for stage, given in override.items():
        if stage not in merged:
            raise BadRequestError(
                f"Configuration names stage {quoted(stage)}, which the workflow does not run"
            )
        for operator, values in _unwrapped(stage, given, merged[stage]).items():
            if operator not in merged[stage]:
                raise BadRequestError(
                    f"Configuration names operator {quoted(operator)}, not in stage {quoted(stage)}"
                )
            where = f"Configuration.{stage}.{operator}"
            values = _checked(where, dict(values), merged[stage][operator].get("MediaType"))
            merged[stage][operator].update(values)
    size = len(json.dumps(merged, separators=(",", ":")).encode("utf-8"))
    if size > MAX_CONFIGURATION_BYTES:
        raise BadRequestError(
            f"the Configuration of the execution (the workflow defaults with the changes of this "
            f"request) is {size} bytes as JSON; the limit is {MAX_CONFIGURATION_BYTES}"
        )
    return merged


def _checked(where: str, values: dict[str, Any], default_media_type: Any) -> dict[str, Any]:
    values = _with_media_type(where, values, default_media_type)
    if "Enabled" in values and not isinstance(values["Enabled"], bool):
        raise BadRequestError(f"{where}.Enabled must be true or false, got {quoted(values['Enabled'])}")
    if "MediaType" in values and values["MediaType"] not in _MEDIA_TYPES:
        kinds = ", ".join(_MEDIA_TYPES)
        raise BadRequestError(f"{where}.MediaType must be one of {kinds}, got {quoted(values['MediaType'])}")
    return values


def _unwrapped(stage: str, given: dict[str, Any], operators: dict[str, Any]) -> dict[str, Any]:
    """`{"Operations": {op: {...}}}` as `{op: {...}}`, unless the stage runs an operator of that name."""
    if OPERATIONS_WRAPPER not in given or OPERATIONS_WRAPPER in operators:
        return given
    wrapped = given[OPERATIONS_WRAPPER]
    if not isinstance(wrapped, dict) or not all(isinstance(values, dict) for values in wrapped.values()):
        raise BadRequestError(
            f"Configuration.{stage}.{OPERATIONS_WRAPPER} must map operator names to objects, "
            f"got {quoted(wrapped)}"
        )
    rest = {name: values for name, values in given.items() if name != OPERATIONS_WRAPPER}
    repeated = sorted(set(rest) & set(wrapped))
    if repeated:
        raise BadRequestError(
            f"Configuration.{stage} names {', '.join(repeated)} both inside and outside {OPERATIONS_WRAPPER}"
        )
    return {**rest, **wrapped}


def _with_media_type(where: str, values: dict[str, Any], default: Any) -> dict[str, Any]:
    """MIE's `MediaTypes` flags as this platform's one `MediaType` (an operator runs on one kind).

    No flag set disables the operator; the operator's own type is kept when its flag is set;
    otherwise exactly one flag must be set, and that type is used.
    """
    if MEDIA_TYPES_FLAGS not in values:
        return values
    flags = values.pop(MEDIA_TYPES_FLAGS)
    if not isinstance(flags, dict) or not all(
        kind in _MEDIA_TYPES and isinstance(flag, bool) for kind, flag in flags.items()
    ):
        raise BadRequestError(
            f"{where}.{MEDIA_TYPES_FLAGS} must map media types ({', '.join(_MEDIA_TYPES)}) to true or false, "
            f"got {quoted(flags)}"
        )
    chosen = [kind for kind, flag in flags.items() if flag]
    current = values.get("MediaType", default)
    if not chosen:
        values["Enabled"] = False
    elif current not in chosen:
        if len(chosen) > 1:
            raise BadRequestError(
                f"{where}.{MEDIA_TYPES_FLAGS}: the operator runs on one media type ({current}); "
                f"set one flag, got {quoted(flags)}"
            )
        values["MediaType"] = chosen[0]
    return values
