"""System configuration: named platform settings, currently `MaxConcurrentWorkflows`.

Read on every scheduling decision (part 2), so a change applies to the next admission; the default
applies until a value is stored, and is never written by a deployment (MIE seeded it once).
"""

from __future__ import annotations

from typing import Any

from api.workflow.models import SystemParameter, SystemParameterName
from api.workflow.table import DefinitionsTable, Kind

DEFAULTS: dict[SystemParameterName, int] = {SystemParameterName.MAX_CONCURRENT_WORKFLOWS: 5}


class SystemService:
    def __init__(self, table: DefinitionsTable) -> None:
        self._table = table

    def value(self, name: SystemParameterName) -> int:
        record = self._table.get(Kind.SYSTEM, name.value)
        return int(record.definition["Value"]) if record is not None else DEFAULTS[name]

    def list(self) -> list[dict[str, Any]]:
        stored = {record.name: int(record.definition["Value"]) for record in self._table.all(Kind.SYSTEM)}
        return [
            {"Name": name.value, "Value": stored.get(name.value, default)}
            for name, default in DEFAULTS.items()
        ]

    def set(self, parameter: SystemParameter) -> dict[str, Any]:
        self._table.put_value(Kind.SYSTEM, parameter.Name.value, parameter.Value)
        return {"Name": parameter.Name.value, "Value": parameter.Value}
