"""Ports for the servers the local platform starts beside itself (engines, the inspection pages)."""

from __future__ import annotations

import socket


def free_port(host: str, preferred: int | None = None) -> int:
    """`preferred` when it can be bound on `host` now, else a port the system picks.

    The port is released before it is returned, for a child process to bind: another process may
    take it in between, which the caller sees as a server that does not start.
    """
    for candidate in (preferred, 0) if preferred else (0,):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise OSError(f"no port to bind on {host}")
