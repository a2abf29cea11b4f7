"""The mapping of Medialens's search indexes, as an OpenSearch index template.

Every index the consumer writes is `{prefix}-{operator}` (`api.search.indexer`); this template
gives them all the same fields so Dashboards can search and aggregate across operators:

| field | type | what it holds |
|---|---|---|
| `AssetId`, `Operator`, `WorkflowId` | text + `.keyword` | whose result this page is |
| `Page` | integer | the page number of a paged result |
| `Timestamp` | date | when the dataplane stored the page |
| `Findings.Kind`, `Findings.Label` | keyword (and `Label.text`) | what was found (`api.search.findings`) |
| `Findings.StartMs`, `Findings.StopMs` | long | where, in milliseconds from the start of the media |
| `Findings.Confidence` | float | how sure the engine was |
| `Results` | object, not indexed | the stored page as the operator wrote it (shown, not searched) |

`Results` is kept in `_source` but not mapped (`enabled: false`): operators write any shape, and
one operator's `"duration": "3 s"` must not make another's number unindexable.
"""

from __future__ import annotations

from typing import Any

TEMPLATE_NAME = "medialens"
TIME_FIELD = "Timestamp"

# Text with a keyword sub-field, as dynamic mapping makes them: the consumer deletes by
# `{"term": {"AssetId.keyword": ...}}`, and Dashboards aggregates on the sub-field.
_NAME = {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}

FIELDS: dict[str, dict[str, Any]] = {
    "AssetId": _NAME,
    "Operator": _NAME,
    "WorkflowId": _NAME,
    "Page": {"type": "integer"},
    "Timestamp": {"type": "date"},
    "Findings": {
        "properties": {
            "Kind": {"type": "keyword"},
            "Label": {"type": "keyword", "ignore_above": 256, "fields": {"text": {"type": "text"}}},
            "StartMs": {"type": "long"},
            "StopMs": {"type": "long"},
            "Confidence": {"type": "float"},
        }
    },
    "Results": {"type": "object", "enabled": False},
}


def index_template(prefix: str) -> dict[str, Any]:
    """The body of `PUT _index_template/{TEMPLATE_NAME}` for indexes named `{prefix}-*`."""
    return {
        "index_patterns": [f"{prefix}-*"],
        "template": {"mappings": {"dynamic": False, "properties": FIELDS}},
        "priority": 100,
    }


def field_types(properties: dict[str, Any] | None = None, parent: str = "") -> dict[str, str]:
    """Every mapped field by its dotted name, sub-fields included: {"Findings.Label": "keyword", ...}."""
    found: dict[str, str] = {}
    for name, spec in (FIELDS if properties is None else properties).items():
        path = f"{parent}{name}"
        if "properties" in spec:
            found.update(field_types(spec["properties"], f"{path}."))
        elif spec.get("enabled", True):
            found[path] = spec["type"]
        for sub, sub_spec in spec.get("fields", {}).items():
            found[f"{path}.{sub}"] = sub_spec["type"]
    return found
