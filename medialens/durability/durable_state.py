"""Recovery at start and compaction: the snapshot plus the journal's later segments are the state.

Start: restore the snapshot, replay the journal segments it may lack, then journal every write.
Compaction (at a clean stop, and at start when the journal has grown past `COMPACT_BYTES`): start a
new segment, save a snapshot that records that segment as its `journal_from`, drop older segments.
Records are states, so writes that land in the new segment while the snapshot is read are
replayed on top of it correctly; a crash at any step leaves a snapshot and the segments it needs.
"""

from __future__ import annotations

import logging
import shutil
from typing import Any

from medialens import snapshot
from medialens.durability.changes import Change
from medialens.durability.front import JournalingFront
from medialens.durability.journal import Journal
from medialens.durability.replay import replay
from medialens.runtime.service_process import DynamoDBProcess
from medialens.state import StateDir

LOG = logging.getLogger(__name__)
COMPACT_BYTES = 64 * 1024**2
SERVICE = "dynamodb"  # the name of the DynamoDB process's journal in the snapshot's manifest


class DurableState:
    """`dynamodb`: the process holding the DynamoDB tables, with its own journal (optional)."""

    def __init__(
        self,
        state: StateDir,
        front: JournalingFront,
        *,
        journaled: bool = True,
        dynamodb: DynamoDBProcess | None = None,
    ) -> None:
        self._state = state
        self._front = front
        self._journaled = journaled
        self._dynamodb = dynamodb
        self._journal: Journal | None = None
        self.replayed: list[Change] = []  # the journaled states `recover` put back

    def recover(self, session: Any) -> dict[str, int]:
        """Put back the snapshot and the journal after it; counts of what was restored."""
        counts = {"objects": 0, "items": 0, "state_machines": 0, "journaled": 0}
        if self._state.snapshot_dir.exists():
            restored = snapshot.restore(session, self._state.snapshot_dir)
            counts["objects"], counts["items"] = restored["objects"], restored["items"]
        self.replayed = replay(
            session, self._state.journal_dir, snapshot.journal_start(self._state.snapshot_dir)
        )
        if self._dynamodb is not None:
            start = snapshot.journal_start(self._state.snapshot_dir, SERVICE)
            self.replayed += replay(session, self._state.dynamodb_journal_dir, start)
        counts["journaled"] = len(self.replayed)
        return counts

    def start_journaling(self, session: Any) -> None:
        """From now on every confirmed write is journaled; compacts first if the journal is large."""
        if not self._journaled:
            return
        self._journal = Journal(self._state.journal_dir)
        self._front.attach(self._journal)
        size = self._journal.size()
        if self._dynamodb is not None:
            self._dynamodb.attach(self._state.dynamodb_journal_dir)
            size += self._dynamodb.size()
        if size > COMPACT_BYTES:
            self.compact(session)

    def compact(self, session: Any) -> dict[str, int]:
        """Save a snapshot and drop the journal segments it holds; the snapshot's counts."""
        journal = self._journal
        if journal is None:
            counts = snapshot.save(session, self._state.snapshot_dir)
            for folder in (self._state.journal_dir, self._state.dynamodb_journal_dir):
                shutil.rmtree(folder, ignore_errors=True)  # all in the snapshot now
            return counts
        segment = journal.rotate()
        services = {SERVICE: self._dynamodb.rotate()} if self._dynamodb is not None else {}
        counts = snapshot.save(
            session, self._state.snapshot_dir, journal_from=segment, service_journals=services
        )
        journal.drop_before(segment)
        if self._dynamodb is not None:
            self._dynamodb.drop_before(services[SERVICE])
        return counts

    def close(self) -> None:
        self._front.attach(None)
        if self._journal is not None:
            self._journal.close()
            self._journal = None
            if self._dynamodb is not None:
                self._dynamodb.detach()
