"""What the local runtime needs to know to run one Lambda function."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

PYTHON_RUNTIMES = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13")


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function: its name, its handler ("package.module.function") and its settings.

    `code_paths` (task root first, then the layers' folders) replaces the pool's code paths when
    given; `isolated` hides the platform's own packages from the handler, as a user's function on
    AWS sees only its zip, its layers and the runtime.
    """

    name: str
    handler: str
    environment: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    timeout_seconds: float = 30.0
    memory_mb: int = 512
    version: str = "$LATEST"
    runtime: str = "python3.11"
    code_paths: tuple[Path, ...] = ()
    isolated: bool = False
    # Lambda's reserved concurrency: at most this many invocations at once (None: the pool's cap).
    reserved_concurrency: int | None = None
    # Started with the platform (False: at its first invocation, a cold start as on Lambda).
    warm_at_start: bool = True

    def __post_init__(self) -> None:
        module, _, function = self.handler.rpartition(".")
        if not module or not function:
            raise ValueError(f"handler must be 'module.function', got {self.handler!r}")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
