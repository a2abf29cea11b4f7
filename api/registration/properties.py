"""The custom resource's properties, validated before any call so bad input changes nothing.

CloudFormation hands every property value over as a string, so the CDK app sends each definition
as a JSON document and the concurrency limit as digits.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Definition = dict[str, Any]


class PropertiesError(ValueError):
    """A property is malformed; the message names it (and the item's index in a list)."""


class RegistrationProperties(BaseModel):
    # CloudFormation adds ServiceToken (and may add more); only ours are read.
    model_config = ConfigDict(extra="ignore", frozen=True)

    WorkflowApiEndpoint: Annotated[str, Field(pattern=r"^https?://\S+$")]
    Operations: list[Definition] = []
    Stages: list[Definition] = []
    Workflows: list[Definition] = []
    MaxConcurrentWorkflows: Annotated[int, Field(ge=1, le=1000)]

    @field_validator("Operations", "Stages", "Workflows", mode="before")
    @classmethod
    def _parse_documents(cls, value: Any) -> list[Definition]:
        if not isinstance(value, list):
            raise ValueError("must be a list of JSON documents")
        documents = []
        for index, item in enumerate(value):
            try:
                document = json.loads(item) if isinstance(item, str) else item
            except json.JSONDecodeError as exc:
                raise ValueError(f"item {index} is not valid JSON ({exc.msg})") from exc
            if not isinstance(document, dict) or not isinstance(document.get("Name"), str):
                raise ValueError(f"item {index} is not a JSON object with a Name")
            documents.append(document)
        return documents


def parse_properties(raw: Any) -> RegistrationProperties:
    try:
        return RegistrationProperties.model_validate(raw)
    except ValidationError as exc:
        raise PropertiesError(_describe(exc)) from exc


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "properties"
        problems.append(f"{where}: {error['msg']}")
    return "invalid registration properties: " + "; ".join(problems)
