"""The sample engines a deployed stack registers as operators: where they run is the deployer's choice.

The sample engines (`engines/`) are HTTP services; a stack does not host them. Give their base
URLs in the CDK context `sampleEngines` (cdk.json, or `-c sampleEngines='{"faces": "https://..."}'`)
and the deploy registers their operators, and with them the library's image, video and text
workflows (`operators/library_workflows.py`). The operator functions must reach each URL, and a
stream or batch engine must reach the stack's `EngineWebhookEndpoint`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from operators.library_engines import sample_engines

SAMPLE_ENGINES_CONTEXT = "sampleEngines"


class SampleEnginesContextError(ValueError):
    """The `sampleEngines` context is not a map of known engine names to http(s) URLs."""


def engine_urls(value: Any) -> dict[str, str]:
    """`{engine name: base URL}` from the context's value (a JSON object or its text); {} if unset."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise SampleEnginesContextError(f"{SAMPLE_ENGINES_CONTEXT} is not JSON: {exc}") from exc
    if not isinstance(value, Mapping):
        raise SampleEnginesContextError(f"{SAMPLE_ENGINES_CONTEXT} must map engine names to URLs")
    known = sample_engines()
    urls: dict[str, str] = {}
    for name, url in value.items():
        if name not in known:
            raise SampleEnginesContextError(
                f"{SAMPLE_ENGINES_CONTEXT} names no sample engine {name}; they are: {', '.join(known)}"
            )
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise SampleEnginesContextError(
                f"{SAMPLE_ENGINES_CONTEXT}.{name}: {url} is not an http(s) base URL"
            )
        urls[str(name)] = str(url).rstrip("/")
    return urls
