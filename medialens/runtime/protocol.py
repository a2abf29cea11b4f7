"""The private wire between the worker pool and a worker: length-prefixed JSON frames.

It runs over a dedicated pipe pair, not stdin/stdout, because handlers print freely.
A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import Any

_HEADER = struct.Struct(">I")
MAX_FRAME = 64 * 1024 * 1024  # far above Lambda's 6 MB payload limit; guards a corrupt stream

# Environment variable through which the parent tells the worker its two pipe fds: "read,write".
FDS_ENV = "MEDIALENS_WORKER_FDS"
# Set for a user's function: the folders (task root, layers) its platform packages may come from.
ISOLATED_ENV = "MEDIALENS_FUNCTION_PATHS"


class FrameTimeoutError(Exception):
    """No complete frame arrived before the deadline."""


class FrameEOFError(Exception):
    """The other end closed the pipe (for the parent: the worker died)."""


def write_frame(fd: int, message: dict[str, Any]) -> None:
    data = json.dumps(message).encode("utf-8")
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_frame(fd: int, deadline: float | None = None) -> dict[str, Any]:
    """Read one frame; `deadline` is a time.monotonic() value, None waits forever."""
    (length,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if length > MAX_FRAME:
        raise FrameEOFError(f"frame of {length} bytes is too large")
    message = json.loads(_read_exact(fd, length, deadline))
    if not isinstance(message, dict):
        raise FrameEOFError("frame is not a JSON object")
    return message


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise FrameTimeoutError()
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise FrameEOFError()
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
