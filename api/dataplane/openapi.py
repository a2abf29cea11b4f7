"""The dataplane API's OpenAPI document; `python -m api.dataplane.openapi` refreshes the docs copy."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from api.common.openapi_document import finish
from api.dataplane.app import API_TITLE, API_VERSION, build_app

DOCS_PATH = Path(__file__).resolve().parents[2] / "docs" / "dataplane-openapi.json"


def openapi_document() -> dict[str, Any]:
    schema = build_app().get_openapi_json_schema(
        title=API_TITLE,
        version=API_VERSION,
        description="Assets, media and operator results of Medialens (MIE-compatible routes).",
    )
    document: dict[str, Any] = json.loads(schema)
    finish(document)
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
