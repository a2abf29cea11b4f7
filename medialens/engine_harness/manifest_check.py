"""Reading an engine's manifest.json and checking it as the platform and Veritone's docs read it.

Refused (HarnessError): not JSON, not an object, what the platform's `EngineManifest` refuses
(`engineMode` missing or not chunk | stream | batch, `supportedInputFormats` missing or empty, a
malformed MIME type), and a `preferredInputFormat` that `supportedInputFormats` does not accept.
Warned: the fields Veritone's manifest table requires of a cognitive engine that are missing
(`engineId`, `category`, `clusterSize`, `preferredInputFormat`, `outputFormats`; ENGINES.md 1.7),
and the toolkit examples' misspelling `intialConcurrency` (accepted, as the platform does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from api.engines.models import EngineManifest, VtnContract
from medialens.engine_harness.errors import HarnessError

VERITONE_REQUIRED = ("engineId", "category", "clusterSize", "preferredInputFormat", "outputFormats")
KNOWN_CONTRACTS = frozenset(get_args(VtnContract))


@dataclass(frozen=True)
class ManifestCheck:
    """A usable manifest: its raw content, as the platform reads it, and what was warned about."""

    raw: dict[str, Any]
    manifest: EngineManifest
    warnings: list[str] = field(default_factory=list)

    @property
    def contracts(self) -> list[str]:
        """The manifest's own `validationContracts`, when it names any (not a Veritone field)."""
        declared = self.raw.get("validationContracts")
        return [name for name in declared if isinstance(name, str)] if isinstance(declared, list) else []


def check_manifest(path: Path) -> ManifestCheck:
    """The checked manifest at `path`; HarnessError with the one reason it cannot be used."""
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        raise HarnessError(f"manifest not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HarnessError(f"cannot read the manifest {path}: {exc}") from None
    except ValueError as exc:
        raise HarnessError(f"the manifest {path} is not JSON: {exc}") from None
    return check_manifest_content(raw, str(path))


def check_manifest_content(raw: Any, name: str = "manifest.json") -> ManifestCheck:
    if not isinstance(raw, dict):
        raise HarnessError(f"the manifest {name} must be a JSON object")
    try:
        manifest = EngineManifest.model_validate(raw)
    except ValidationError as exc:
        raise HarnessError(f"the manifest {name} is not usable: {first_problem(exc)}") from None
    preferred = manifest.preferredInputFormat
    if preferred is not None and not manifest.supports(preferred):
        raise HarnessError(
            f"the manifest {name}: preferredInputFormat {preferred} is not in supportedInputFormats "
            f"({', '.join(manifest.supportedInputFormats)})"
        )
    warnings = [
        f"manifest: {key} is missing (Veritone's manifest requires it of a cognitive engine)"
        for key in VERITONE_REQUIRED
        if key not in raw
    ]
    if "intialConcurrency" in raw:
        warnings.append(
            "manifest: intialConcurrency is the toolkit examples' misspelling of initialConcurrency "
            "(accepted; write initialConcurrency)"
        )
    check = ManifestCheck(raw, manifest, warnings)
    unknown = sorted(set(check.contracts) - KNOWN_CONTRACTS)
    if unknown:
        raise HarnessError(f"the manifest {name}: unknown validationContracts {', '.join(unknown)}")
    return check


def first_problem(exc: ValidationError) -> str:
    """`field.path: message` of a pydantic error's first problem (and how many more there are)."""
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {message}{more}" if where else f"{message}{more}"
