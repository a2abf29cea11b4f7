"""Where things live in the dataplane bucket, and which names and keys the API accepts.

private/assets/{asset_id}/input/{basename}                                   asset media
private/assets/{asset_id}/workflows/{workflow_id}/                           a workflow's media path
private/assets/{asset_id}/workflows/{workflow_id}/{operator}/page-000001.json  result pages
upload/...                                                                   browser uploads
{name}                                                                       uploads at the top level
                                                                             (MIE's guide: `aws s3 cp
                                                                             test_image.jpg s3://$BUCKET/`)

`readable_key` is the one rule for what a client may read (download, or have the dataplane copy
or analyse for it): those three places, nothing else in the bucket.
"""

from __future__ import annotations

import posixpath
import re

from api.common.messages import quoted
from api.dataplane.errors import BadRequestError

ASSET_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"
MAX_KEY_LENGTH = 1024

ASSETS_ROOT = "private/assets/"
UPLOAD_ROOT = "upload/"
READABLE_ROOTS = (ASSETS_ROOT, UPLOAD_ROOT)

_PAGE_FILE = re.compile(r"^page-(\d{6})\.json$")


def asset_prefix(asset_id: str) -> str:
    return f"{ASSETS_ROOT}{asset_id}/"


def input_key(asset_id: str, basename: str) -> str:
    return f"{asset_prefix(asset_id)}input/{basename}"


def workflow_prefix(asset_id: str, workflow_id: str) -> str:
    return f"{asset_prefix(asset_id)}workflows/{workflow_id}/"


def operator_prefix(asset_id: str, workflow_id: str, operator: str) -> str:
    return f"{workflow_prefix(asset_id, workflow_id)}{operator}/"


def page_key(prefix: str, page: int) -> str:
    return f"{prefix}page-{page:06d}.json"


def page_number(prefix: str, key: str) -> int | None:
    """The page number of a result page directly under `prefix`; None for anything else."""
    if not key.startswith(prefix):
        return None
    found = _PAGE_FILE.match(key[len(prefix) :])
    return None if found is None else int(found.group(1))


def is_page_key(prefix: str, key: str) -> bool:
    """True for a result page directly under `prefix` (not media an operator put beside it)."""
    return page_number(prefix, key) is not None


def check_object_key(key: str, field: str = "S3Key") -> str:
    """Reject keys that are empty, absolute, too long or climb out of their prefix."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise BadRequestError(f"{field} must be 1-{MAX_KEY_LENGTH} characters, got {quoted(key)}")
    if key.startswith("/") or "\\" in key:
        raise BadRequestError(f"{field} must be a relative key, got {quoted(key)}")
    if any(part in ("..", ".") for part in key.split("/")):
        raise BadRequestError(f"{field} must not contain . or .. segments, got {quoted(key)}")
    if any(ord(ch) < 0x20 for ch in key):
        raise BadRequestError(f"{field} must not contain control characters, got {quoted(key)}")
    return key


def readable_key(key: str, field: str = "S3Key") -> str:
    """`key` if a client may read it: an object under private/assets/ or upload/, or at the top level.

    Every route that reads, copies or hands out an object on a client's behalf applies it (create,
    download, mediapath, a workflow execution's Input), so none can serve what another refuses.
    Raises BadRequestError naming `field` otherwise.
    """
    check_object_key(key, field)
    if key.endswith("/"):
        raise BadRequestError(f"{field} must name an object, not a folder, got {quoted(key)}")
    if "/" in key and not key.startswith(READABLE_ROOTS):
        roots = ", ".join(READABLE_ROOTS)
        raise BadRequestError(
            f"{field} must be under {roots} or at the top level of the bucket, got {quoted(key)}"
        )
    return key


def basename(key: str) -> str:
    name = posixpath.basename(key)
    if not name:
        raise BadRequestError(f"S3Key must name an object, not a folder, got {quoted(key)}")
    return name
