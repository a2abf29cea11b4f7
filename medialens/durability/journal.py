"""An append-only journal of changes, fsynced before the write it records is answered.

Layout: `journal/` in the state folder holds numbered segments (`00000001.log`, ...); new records go
to the highest. A record is framed as

    length (4 bytes, big-endian) | CRC-32 of the payload (4 bytes) | payload (`length` bytes)

so a record torn by a crash (short, or a CRC that does not match) is recognised: reading stops
there, and opening the journal for writing cuts the file back to its last whole record, so nothing
appended later hides behind the torn bytes.

Durability is by group commit: `append` writes under a lock (so the order in the file is the order
of the appends) and returns a sequence number; `sync(seq)` returns once that record is on disk,
one fsync covering every record written before it.
"""

from __future__ import annotations

import os
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_FRAME = struct.Struct(">II")
# fdatasync also flushes the file size an append changed, all a reader needs; skips the rest.
_datasync = getattr(os, "fdatasync", os.fsync)
_SUFFIX = ".log"


class Journal:
    """Segments in `folder`; `append` + `sync` for writers, `rotate` and `drop_before` for compaction."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._synced = threading.Condition(self._lock)
        self._written = 0  # sequence number of the last record written
        self._durable = 0  # sequence number of the last record fsynced
        self._syncing = False
        segments = segment_numbers(folder)
        self._segment = segments[-1] if segments else 1
        path = self._path(self._segment)
        if path.exists():
            _cut_torn_tail(path)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _fsync_folder(folder)

    @property
    def segment(self) -> int:
        return self._segment

    def _path(self, number: int) -> Path:
        return self.folder / f"{number:08d}{_SUFFIX}"

    def append(self, payload: bytes) -> int:
        """Write one record; its sequence number, for `sync`."""
        frame = _FRAME.pack(len(payload), zlib.crc32(payload)) + payload
        with self._lock:
            os.write(self._fd, frame)
            self._written += 1
            return self._written

    def sync(self, sequence: int) -> None:
        """Return once record `sequence` (and every one before it) is on disk."""
        with self._lock:
            while self._durable < sequence:
                if self._syncing:
                    self._synced.wait()
                    continue
                self._syncing, target, fd = True, self._written, self._fd
                self._lock.release()
                try:
                    _datasync(fd)
                finally:
                    self._lock.acquire()
                    self._syncing = False
                self._durable = max(self._durable, target)
                self._synced.notify_all()

    def rotate(self) -> int:
        """Start a new segment for later records; returns the new segment's number.

        Records already written stay in the older segments, which compaction drops once a
        snapshot holding their effect is saved.
        """
        with self._lock:
            os.fsync(self._fd)
            self._durable = self._written
            os.close(self._fd)
            self._segment += 1
            self._fd = os.open(self._path(self._segment), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _fsync_folder(self.folder)
        return self._segment

    def drop_before(self, segment: int) -> None:
        """Delete the segments numbered below `segment` (their changes are in a saved snapshot)."""
        for number in segment_numbers(self.folder):
            if number < segment:
                self._path(number).unlink(missing_ok=True)
        _fsync_folder(self.folder)

    def size(self) -> int:
        return sum(path.stat().st_size for path in self.folder.glob(f"*{_SUFFIX}"))

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.fsync(self._fd)
                os.close(self._fd)
                self._fd = -1


def segment_numbers(folder: Path) -> list[int]:
    if not folder.exists():
        return []
    return sorted(int(path.stem) for path in folder.glob(f"*{_SUFFIX}") if path.stem.isdigit())


def read_records(folder: Path, first_segment: int = 0) -> Iterator[bytes]:
    """Every whole record of the segments numbered `first_segment` and above, in order.

    A segment's torn tail ends that segment's records (only the last segment can have one: a crash
    interrupts the write in progress, and a new segment is only started after an fsync).
    """
    for number in segment_numbers(folder):
        if number >= first_segment:
            yield from _records(folder / f"{number:08d}{_SUFFIX}")


def _records(path: Path) -> Iterator[bytes]:
    with path.open("rb") as stream:
        while True:
            record = _read_one(stream)
            if record is None:
                return
            yield record


def _read_one(stream: BinaryIO) -> bytes | None:
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        return None
    length, checksum = _FRAME.unpack(head)
    payload = stream.read(length)
    if len(payload) < length or zlib.crc32(payload) != checksum:
        return None
    return bytes(payload)


def _cut_torn_tail(path: Path) -> None:
    good = 0
    with path.open("rb") as stream:
        while _read_one(stream) is not None:
            good = stream.tell()
    if good < path.stat().st_size:
        with path.open("r+b") as stream:
            stream.truncate(good)
            os.fsync(stream.fileno())


def _fsync_folder(folder: Path) -> None:
    # A new or removed file name is durable only once its folder is fsynced.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
