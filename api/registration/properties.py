"""The custom resource's properties, validated before any call so bad input changes nothing.

CloudFormation hands every property value over as a string, so the CDK app sends each definition
as a JSON document and the concurrency limit as digits. `ServiceToken`, `AppliedAt` (which only
forces an Update on every deploy) and anything else CloudFormation adds are ignored.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Definition = dict[str, Any]

# The workflow API's own bound on the setting (api.workflow.models.SystemParameter).
MAX_CONCURRENT_WORKFLOWS_LIMIT = 1000


class PropertiesError(ValueError):
    """A property is malformed; the message names it (and the item's index in a list)."""


class RegistrationProperties(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    WorkflowApiEndpoint: Annotated[str, Field(pattern=r"^https?://\S+$")]
    Operations: list[Definition] = []
    Stages: list[Definition] = []
    Workflows: list[Definition] = []
    MaxConcurrentWorkflows: Annotated[int, Field(ge=1, le=MAX_CONCURRENT_WORKFLOWS_LIMIT)]

    @field_validator("Operations", "Stages", "Workflows", mode="before")
    @classmethod
    def _parse_documents(cls, value: Any) -> list[Definition]:
        if value is None or value == "":  # an empty list can arrive as nothing at all
            return []
        if not isinstance(value, list):
            raise ValueError("must be a list of JSON documents")
        documents: list[Definition] = []
        seen: set[str] = set()
        for index, item in enumerate(value):
            try:
                document = json.loads(item) if isinstance(item, str) else item
            except json.JSONDecodeError as exc:
                raise ValueError(f"item {index} is not valid JSON ({exc.msg})") from exc
            if not isinstance(document, dict) or not isinstance(document.get("Name"), str):
                raise ValueError(f"item {index} is not a JSON object with a string Name")
            name = document["Name"]
            if name in seen:
                raise ValueError(f"item {index} repeats the Name {name!r}")
            seen.add(name)
            documents.append(document)
        return documents

    @field_validator("Stages")
    @classmethod
    def _no_singleton_stages(cls, stages: list[Definition]) -> list[Definition]:
        # The API owns "_{operation}" stages (created with their operation) and refuses them here.
        for index, stage in enumerate(stages):
            if stage["Name"].startswith("_"):
                raise ValueError(
                    f"item {index} ({stage['Name']!r}) is an operation's own stage, made with it"
                )
        return stages

    @field_validator("MaxConcurrentWorkflows", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        # CloudFormation sends digits; "true", "2.5" or "" are mistakes, not numbers to coerce.
        if isinstance(value, bool) or (isinstance(value, str) and not re.fullmatch(r"\s*\d+\s*", value)):
            raise ValueError(f"must be a whole number, got {value!r}")
        return value


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
