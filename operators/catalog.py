"""The operator library: every folder under `operators/` with an `operators.json` is registered.

`operators.json` holds a list of definitions (one folder may ship several operators, as `test/`
does):

    [{"Name": "Mediainfo", "Type": "Sync",
      "Configuration": {"MediaType": "Video", "Enabled": true},
      "StartHandler": "operators.mediainfo.handler.lambda_handler",
      "TimeoutSeconds": 120, "MemoryMB": 1024, "Description": "..."}]

Async operators also name a `MonitorHandler`. An operator may instead carry an `Engine` block (a
Veritone-style HTTP engine, docs/engines.md): it has no handlers, the platform's engine operator
runs it. `TestResource: true` marks operators deployed only
with `DeployTestResources`. The local runtime and the CDK app both read this catalog, so an operator
is added in one place: its folder.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from api.engines.models import EngineBlock
from api.workflow.models import (
    DefinitionName,
    DescriptionText,
    Operation,
    OperationConfiguration,
    OperationType,
)

OPERATORS_ROOT = Path(__file__).resolve().parent
REPOSITORY_ROOT = OPERATORS_ROOT.parent
CATALOG_FILE = "operators.json"
HANDLER_PATTERN = r"^operators(\.[A-Za-z_][A-Za-z0-9_]*)+\.[A-Za-z_][A-Za-z0-9_]*$"
# The local runtime's function names; CDK lets CloudFormation name them so stacks can coexist.
LOCAL_FUNCTION_PREFIX = "medialens-op-"
MAX_FUNCTION_NAME = 64

HandlerRole = Literal["start", "monitor"]
HandlerPath = Annotated[str, Field(pattern=HANDLER_PATTERN)]


class CatalogError(ValueError):
    """An `operators.json` is unreadable or invalid; the message names the file and the problem."""


class OperatorDefinition(BaseModel):
    """One operator as its folder declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    Name: DefinitionName
    Type: OperationType = None  # type: ignore[assignment]  # derived from an Engine's engineMode
    Configuration: OperationConfiguration
    StartHandler: HandlerPath | None = None
    MonitorHandler: HandlerPath | None = None
    # A Veritone-style HTTP engine instead of handlers: the platform's engine operator runs it.
    Engine: EngineBlock | None = None
    TimeoutSeconds: Annotated[int, Field(ge=1, le=900)] = 60
    MemoryMB: Annotated[int, Field(ge=128, le=10240)] = 512
    Description: DescriptionText | None = None
    TestResource: bool = False

    @model_validator(mode="after")
    def _monitor_matches_type(self) -> OperatorDefinition:
        if self.Engine is not None:
            return self._engine_definition()
        if self.StartHandler is None or self.Type is None:
            raise ValueError("Type and StartHandler are required (or an Engine block instead)")
        if self.Type is OperationType.ASYNC and self.MonitorHandler is None:
            raise ValueError("an Async operator needs a MonitorHandler")
        if self.Type is OperationType.SYNC and self.MonitorHandler is not None:
            raise ValueError("a Sync operator has no MonitorHandler")
        return self

    def _engine_definition(self) -> OperatorDefinition:
        if self.StartHandler is not None or self.MonitorHandler is not None:
            raise ValueError("an engine operator has no StartHandler or MonitorHandler")
        # The API's model derives the type and refuses a contradiction; the catalog says the same.
        try:
            derived = Operation.model_validate(self.operation_request()).Type
            object.__setattr__(self, "Type", derived)  # frozen model: set once, while validating
        except ValidationError as exc:
            raise ValueError("; ".join(str(error["msg"]) for error in exc.errors())) from exc
        return self

    def handlers(self) -> dict[HandlerRole, str]:
        """The operator's own handlers; none for an engine (the platform's engine operator runs it)."""
        if self.StartHandler is None:
            return {}
        roles: dict[HandlerRole, str] = {"start": self.StartHandler}
        if self.MonitorHandler is not None:
            roles["monitor"] = self.MonitorHandler
        return roles

    def operation_request(
        self, start_arn: str | None = None, monitor_arn: str | None = None
    ) -> dict[str, Any]:
        """The `POST /workflow/operation` body that registers this operator with its functions."""
        body: dict[str, Any] = {
            "Name": self.Name,
            "Configuration": self.Configuration.model_dump(mode="json"),
        }
        if self.Type is not None:
            body["Type"] = self.Type.value
        if self.Engine is not None:
            body["Engine"] = self.Engine.model_dump(mode="json", exclude_none=True)
        elif start_arn is not None:
            body["StartLambdaArn"] = start_arn
        if monitor_arn is not None:
            body["MonitorLambdaArn"] = monitor_arn
        if self.Description:
            body["Description"] = self.Description
        return body


@dataclass(frozen=True)
class CatalogEntry:
    definition: OperatorDefinition
    folder: Path


def local_function_name(name: str, role: HandlerRole) -> str:
    """`medialens-op-Mediainfo-start`; a name past Lambda's 64 characters ends in a digest instead."""
    full = f"{LOCAL_FUNCTION_PREFIX}{name}-{role}"
    if len(full) <= MAX_FUNCTION_NAME:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:10]
    return f"{full[: MAX_FUNCTION_NAME - len(digest) - 1]}-{digest}"


def load_catalog(root: Path = OPERATORS_ROOT, *, include_test: bool = True) -> list[CatalogEntry]:
    """Every operator under `root`, sorted by name; a duplicate name or a bad file is a CatalogError."""
    entries: list[CatalogEntry] = []
    for path in sorted(root.glob(f"*/{CATALOG_FILE}")):
        entries.extend(CatalogEntry(definition, path.parent) for definition in _read(path))
    _refuse_duplicates(entries)
    for entry in entries:
        for handler in entry.definition.handlers().values():
            _check_handler_exists(handler, root.parent, entry.folder / CATALOG_FILE)
    chosen = [entry for entry in entries if include_test or not entry.definition.TestResource]
    return sorted(chosen, key=lambda entry: entry.definition.Name)


def _read(path: Path) -> list[OperatorDefinition]:
    try:
        document = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        reason = " ".join(str(exc).split())
        raise CatalogError(f"{path}: cannot read operator definitions: {reason}") from exc
    if not isinstance(document, list):
        raise CatalogError(f"{path}: expected a JSON list of operator definitions")
    definitions = []
    for index, item in enumerate(document):
        try:
            definitions.append(OperatorDefinition.model_validate(item))
        except ValidationError as exc:
            problems = "; ".join(_problem(error) for error in exc.errors())
            name = (
                f" ({item['Name']})" if isinstance(item, dict) and isinstance(item.get("Name"), str) else ""
            )
            raise CatalogError(f"{path}: definition {index}{name}: {problems}") from exc
    return definitions


def _problem(error: Any) -> str:
    """`Field.Path: what is wrong, got <value>`, on one line."""
    where = ".".join(str(part) for part in error["loc"]) or "definition"
    message = " ".join(str(error["msg"]).split())
    if error["type"] not in ("missing", "extra_forbidden") and error["loc"]:
        message += f", got {json.dumps(error.get('input'), default=str)[:80]}"
    return f"{where}: {message}"


def _refuse_duplicates(entries: Iterable[CatalogEntry]) -> None:
    seen: dict[str, Path] = {}
    for entry in entries:
        name = entry.definition.Name
        if name in seen:
            raise CatalogError(f"operator {name} is defined in both {seen[name]} and {entry.folder}")
        seen[name] = entry.folder


def _check_handler_exists(handler: str, repository_root: Path, source: Path) -> None:
    module_path = handler.rsplit(".", 1)[0].replace(".", "/")
    if not (repository_root / f"{module_path}.py").is_file():
        raise CatalogError(f"{source}: handler {handler} has no module {module_path}.py")
