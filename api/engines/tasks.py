"""A stream or batch engine's task: its webhook URLs, its secret, and what the webhooks record.

The start step writes `{prefix}task.json` (`SecretSha256`, `StartedAt`, `ExpiresAt` = start +
`maxTTL`, `HeartbeatTimeoutSeconds`) under the run's prefix in the dataplane bucket. The engine
gets two URLs, `{endpoint}/tasks/{task}/{secret}/heartbeat` and `.../result`: `task` is the
prefix, base64url-encoded, and `secret` a random token only this task's engine knows (only its
SHA-256 is stored). The webhooks write `{prefix}heartbeat.json` (the last heartbeat) and one
`{prefix}results/webhook-{digest}.json` per distinct result (a repeated result is stored once).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from enum import StrEnum
from typing import Final

from api.dataplane.layout import ASSETS_ROOT

ENGINE_WEBHOOK_ENDPOINT: Final = "ENGINE_WEBHOOK_ENDPOINT"
RUN_MARKER: Final = "/engines/"


class HeartbeatStatus(StrEnum):
    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"


# The toolkit's failureReason values (seed 000, "Heartbeat webhook"); anything else is refused.
FAILURE_REASONS: Final = frozenset(
    {
        "internal_error",
        "external_error",
        "unknown",
        "url_not_found",
        "url_not_allowed",
        "url_timeout",
        "url_connection_refused",
        "url_error",
        "invalid_data",
        "rate_limited",
        "api_not_allowed",
        "api_authentication_error",
        "api_not_found",
        "api_error",
        "file_write_error",
        "stream_read_error",
        "system_dependency_missing",
        "system_error",
        "heartbeat_timeout",
        "other",
    }
)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, digest: str) -> bool:
    return hmac.compare_digest(secret_digest(secret), digest)


def task_id(prefix: str) -> str:
    return base64.urlsafe_b64encode(prefix.encode()).decode().rstrip("=")


def task_prefix(task: str) -> str | None:
    """The run prefix a task id names, or None when it is not one (never outside an engine run)."""
    try:
        prefix = base64.urlsafe_b64decode(task + "=" * (-len(task) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not prefix.startswith(ASSETS_ROOT) or RUN_MARKER not in prefix or not prefix.endswith("/"):
        return None
    if ".." in prefix.split("/"):
        return None
    return prefix


def webhook_urls(endpoint: str, prefix: str, secret: str) -> tuple[str, str]:
    """(heartbeatWebhook, resultWebhook)."""
    base = f"{endpoint.rstrip('/')}/tasks/{task_id(prefix)}/{secret}"
    return f"{base}/heartbeat", f"{base}/result"


def task_key(prefix: str) -> str:
    return f"{prefix}task.json"


def heartbeat_key(prefix: str) -> str:
    return f"{prefix}heartbeat.json"


def result_key(prefix: str, body: bytes) -> str:
    return f"{prefix}results/webhook-{hashlib.sha256(body).hexdigest()[:32]}.json"
