"""Request and response bodies of the dataplane API (field names are the wire names)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt

from api.dataplane.layout import MAX_KEY_LENGTH, NAME_PATTERN

Name = Annotated[str, Field(pattern=NAME_PATTERN)]
ObjectKey = Annotated[str, Field(min_length=1, max_length=MAX_KEY_LENGTH)]


def _query_bool(value: Any) -> Any:
    """Only `true` and `false`, as OpenAPI writes a boolean in a query (MIE sent `paginated=true`)."""
    if isinstance(value, str) and value not in ("true", "false"):
        raise ValueError("must be true or false")
    return value


QueryBool = Annotated[bool, BeforeValidator(_query_bool)]


def _omit_none(value: Any) -> bool:
    return value is None


class _Body(BaseModel):
    # Unknown fields are refused, as the workflow API does: a misspelt key must not be ignored.
    model_config = ConfigDict(extra="forbid")


class S3Location(_Body):
    S3Bucket: str = Field(min_length=1)
    S3Key: ObjectKey


MediaKind = Literal["Video", "Image", "Audio", "Text"]


class CreateInput(S3Location):
    MediaType: MediaKind | None = Field(
        default=None, description="MIE's media type; guessed from the key's extension when absent"
    )


class CreateRequest(_Body):
    Input: CreateInput
    Copy: bool = Field(
        default=True,
        description="Copy the object under the asset's input/ prefix (at most 100 MiB); "
        "false: the asset refers to the object where it is",
    )


class KeyRequest(_Body):
    S3Key: ObjectKey
    S3Bucket: str | None = Field(default=None, description="Optional; must be the dataplane bucket")


class MetadataRequest(_Body):
    OperatorName: Name
    WorkflowId: Name
    Results: Any = Field(description="Any JSON value; at most 5 MiB once serialized")
    Paginate: StrictBool = False
    Page: StrictInt | None = Field(
        default=None,
        ge=1,
        le=999_999,
        description="Page number of a paged result; omit it to append after the pages already stored",
    )
    End: StrictBool = False


class StatusResponse(BaseModel):
    Status: str


class CreateResponse(BaseModel):
    AssetId: str
    S3Bucket: str
    S3Key: str
    MediaType: str | None = Field(default=None, exclude_if=_omit_none)


class AssetResponse(CreateResponse):
    Created: str


class UploadResponse(BaseModel):
    url: str
    fields: dict[str, str]


class DownloadResponse(BaseModel):
    Url: str


class MediaPathResponse(BaseModel):
    S3Bucket: str
    S3Key: str


class AssetListResponse(BaseModel):
    assets: list[str]
    cursor: str | None = Field(default=None, exclude_if=_omit_none)


class MetadataWriteResponse(BaseModel):
    Status: str
    AssetId: str
    OperatorName: str
    WorkflowId: str
    Page: int
    Complete: bool
    S3Bucket: str
    S3Key: str


class MetadataPageResponse(BaseModel):
    asset_id: str
    operator: str
    workflow_id: str
    page: int
    results: Any
    cursor: str | None = Field(default=None, exclude_if=_omit_none)


class DeleteResponse(BaseModel):
    Status: str
    AssetId: str
    OperatorName: str | None = Field(default=None, exclude_if=_omit_none)
