"""The workflow API's OpenAPI document; `python -m api.workflow.openapi` refreshes the docs copy.

The document is the one `GET /openapi.json` serves (`api.workflow.app.openapi_document`), written
with sorted keys so the committed file changes only when the API does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from api.workflow.app import create_app
from api.workflow.app import openapi_document as served_document

DOCS_PATH = Path(__file__).resolve().parents[2] / "docs" / "workflow-openapi.json"


def openapi_document() -> dict[str, Any]:
    return served_document(create_app())


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
