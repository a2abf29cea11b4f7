"""Names derived from the stack name, so several copies can live in one account and region."""

from __future__ import annotations

import hashlib
import re

from api.workflow.config import PREFIX_PATTERN

PREFIX_LENGTH = 15  # what api.workflow.config allows (80-char machine names, 64-char workflow names)
_HASH_LENGTH = 6


def state_machine_prefix(stack_name: str) -> str:
    """At most 15 characters, unique per stack name: a readable head plus a hash of the whole name.

    `Medialens` -> `Medial-1a2b3c`. The hash keeps two long stack names with the same start apart.
    """
    head = re.sub(r"[^A-Za-z0-9]", "", stack_name)[: PREFIX_LENGTH - _HASH_LENGTH - 1] or "ml"
    digest = hashlib.sha256(stack_name.encode("utf-8")).hexdigest()[:_HASH_LENGTH]
    prefix = f"{head}-{digest}"
    if not PREFIX_PATTERN.match(prefix):  # pragma: no cover - guarded by construction
        raise ValueError(f"state machine prefix {prefix!r} does not match {PREFIX_PATTERN.pattern}")
    return prefix
