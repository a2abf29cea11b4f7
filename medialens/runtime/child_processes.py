"""Child processes of the platform (engines, the DynamoDB process) end when the platform dies."""

from __future__ import annotations

import contextlib
import ctypes
import signal

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def end_with_parent() -> None:
    """In the child before exec (`Popen(preexec_fn=...)`): SIGTERM when the platform process dies,
    even by SIGKILL. Linux only; elsewhere a no-op."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
