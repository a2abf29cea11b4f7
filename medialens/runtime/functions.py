"""What the local runtime needs to know to run one Lambda function."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function: its name, its handler ("package.module.function") and its settings."""

    name: str
    handler: str
    environment: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    timeout_seconds: float = 30.0
    memory_mb: int = 512

    def __post_init__(self) -> None:
        module, _, function = self.handler.rpartition(".")
        if not module or not function:
            raise ValueError(f"handler must be 'module.function', got {self.handler!r}")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
