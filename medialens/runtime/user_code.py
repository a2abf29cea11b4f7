"""A user's deployment package and layers, unpacked under the state folder as Lambda lays them out.

Lambda unpacks a function's zip into its task root (`/var/task`) and each attached layer's zip into
`/opt`, in the order the layers are listed (a later layer's files win); the Python runtime puts
`/opt/python` and `/opt/python/lib/pythonX.Y/site-packages` on `sys.path` after the task root.
Here each zip is unpacked once into a folder named by its SHA-256, so a code update is a new
folder and a running worker never sees its files change under it.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import zipfile
from pathlib import Path

# Lambda's own message for a ZipFile that is not a zip (InvalidParameterValueException).
NOT_A_ZIP_MESSAGE = "Could not unzip uploaded file. Please check your file, then try to upload again."


class UnsafeArchiveError(ValueError):
    """A zip entry would land outside the folder it is unpacked into."""


def archive_problem(data: bytes) -> str | None:
    """None for a zip the runtime can unpack; otherwise what is wrong with it, in Lambda's words."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return NOT_A_ZIP_MESSAGE
    for entry in entries:
        try:
            _entry_parts(entry)
        except UnsafeArchiveError as exc:
            return f"Could not unzip uploaded file: {exc}."
    return None


def unpack(data: bytes, parent: Path) -> Path:
    """`data` unpacked into `parent/<sha256>/` (made once, atomically); returns that folder.

    Raises UnsafeArchiveError for an entry with an absolute path, a `..` part or a symbolic link,
    and zipfile.BadZipFile for data that is not a zip.
    """
    target = parent / hashlib.sha256(data).hexdigest()
    if target.is_dir():
        return target
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{target.name}.{os.getpid()}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for entry in archive.infolist():
                _extract(archive, entry, staging)
        staging.mkdir(exist_ok=True)  # an empty archive is a valid, empty package
        try:
            staging.rename(target)
        except OSError:
            if not target.is_dir():  # another thread won the race: its copy is the same
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _entry_parts(entry: zipfile.ZipInfo) -> list[str]:
    name = entry.filename.replace("\\", "/")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
        raise UnsafeArchiveError(f"the entry {entry.filename} points outside the package")
    if stat.S_ISLNK(entry.external_attr >> 16):
        raise UnsafeArchiveError(f"the entry {entry.filename} is a symbolic link")
    return parts


def _extract(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, root: Path) -> None:
    parts = _entry_parts(entry)
    destination = root.joinpath(*parts) if parts else root
    if entry.is_dir():
        destination.mkdir(parents=True, exist_ok=True)
        return
    destination.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(entry) as source, open(destination, "wb") as sink:
        shutil.copyfileobj(source, sink)
    mode = (entry.external_attr >> 16) & 0o777
    if mode:
        destination.chmod(mode | 0o600)


def layer_paths(layer_root: Path, runtime: str) -> list[Path]:
    """The folders of one unpacked layer the Python runtime puts on sys.path (Lambda's /opt layout)."""
    python = layer_root / "python"
    return [python / "lib" / runtime / "site-packages", python]
