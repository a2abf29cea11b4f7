"""The dataplane API's OpenAPI document; `python -m api.dataplane.openapi` refreshes the docs copy."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from api.dataplane.app import API_TITLE, API_VERSION, build_app

DOCS_PATH = Path(__file__).resolve().parents[2] / "docs" / "dataplane-openapi.json"


def openapi_document() -> dict[str, Any]:
    schema = build_app().get_openapi_json_schema(
        title=API_TITLE,
        version=API_VERSION,
        description="Assets, media and operator results of Medialens (MIE-compatible routes).",
    )
    document: dict[str, Any] = json.loads(schema)
    # Powertools documents its 422 validation answer; this API turns those into 400 ErrorResponse.
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def render() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DOCS_PATH
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
