"""Where the deployed code lives, anchored to this file (never to the working directory)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
HELPER_SOURCE = REPO_ROOT / "lib" / "helper"
LAYER_REQUIREMENTS = Path(__file__).resolve().parent / "layer" / "requirements.txt"
MEDIA_TOOLS_REQUIREMENTS = Path(__file__).resolve().parent / "media_tools_layer" / "requirements.txt"

# Asset excludes for code taken from the repository root: only the named packages go in, so the
# asset hash changes only when deployed code changes (and fingerprinting skips .venv/node_modules).
PYTHON_JUNK = ["**/__pycache__", "**/*.pyc", "**/.pytest_cache", "**/.mypy_cache"]


def only_packages(*packages: str) -> list[str]:
    """Glob excludes that keep just `packages` (top-level folders) of the repository root."""
    keep = [pattern for package in packages for pattern in (f"!{package}", f"!{package}/**")]
    return ["*", "**/.*", *keep, *PYTHON_JUNK]
