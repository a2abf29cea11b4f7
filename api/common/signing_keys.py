"""The HMAC key the APIs sign their cursors with: given directly, or read from Secrets Manager.

Deployed, the key lives in a secret and the functions get its ARN, so the key never appears in a
Lambda's configuration; locally and in tests it is given directly.
"""

from __future__ import annotations

from typing import Any


def key_from_secret(secretsmanager: Any, secret_arn: str) -> bytes:
    """The secret's binary value, or its string value as UTF-8."""
    secret = secretsmanager.get_secret_value(SecretId=secret_arn)
    binary = secret.get("SecretBinary")
    return bytes(binary) if binary else str(secret["SecretString"]).encode("utf-8")
