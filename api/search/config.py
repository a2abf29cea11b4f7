"""The search consumer's configuration, read from the environment.

SEARCH_ENDPOINT      the OpenSearch domain's endpoint, https://...     one of these two
SEARCH_SQLITE_PATH   a local SQLite index file instead (the local runtime)
SEARCH_INDEX_PREFIX  indexes are named "{prefix}-{operator}"              default medialens
AWS_REGION           signing region (set by Lambda)                  required for OpenSearch
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SEARCH_ENDPOINT = "SEARCH_ENDPOINT"
SEARCH_SQLITE_PATH = "SEARCH_SQLITE_PATH"
SEARCH_INDEX_PREFIX = "SEARCH_INDEX_PREFIX"
DEFAULT_INDEX_PREFIX = "medialens"
# OpenSearch index names: lowercase, and none of \ / * ? " < > | , # or space; no leading - _ +.
_PREFIX = re.compile(r"^[a-z0-9][a-z0-9.-]{0,63}$")
_ENDPOINT = re.compile(r"^https?://[^/\s]+$")


class SearchConfigurationError(RuntimeError):
    """A variable is missing or malformed: a deployment fault."""


@dataclass(frozen=True)
class SearchConfig:
    index_prefix: str
    endpoint: str | None = None  # OpenSearch, signed for `region`
    region: str | None = None
    sqlite_path: Path | None = None  # or a local file

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SearchConfig:
        env = os.environ if environ is None else environ
        prefix = env.get(SEARCH_INDEX_PREFIX) or DEFAULT_INDEX_PREFIX
        if not _PREFIX.match(prefix):
            raise SearchConfigurationError(
                f"{SEARCH_INDEX_PREFIX} {prefix!r} is not a valid index name start"
            )
        if env.get(SEARCH_SQLITE_PATH):
            return cls(index_prefix=prefix, sqlite_path=Path(env[SEARCH_SQLITE_PATH]))
        endpoint = env.get(SEARCH_ENDPOINT, "").rstrip("/")
        if not _ENDPOINT.match(endpoint):
            raise SearchConfigurationError(
                f"{SEARCH_ENDPOINT} must be the domain's http(s) URL, got {endpoint!r}"
            )
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or ""
        if not region:
            raise SearchConfigurationError("AWS_REGION is not set")
        return cls(index_prefix=prefix, endpoint=endpoint, region=region)
