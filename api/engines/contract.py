"""Keys the generated machine and the engine-operator functions share (see api/engines/machine.py)."""

from __future__ import annotations

from typing import Final

ENGINE_KEY: Final = "Engine"  # the Engine block, a JSON string (its Payload may hold any key, even "x.$")
EVENT_KEY: Final = "Event"  # the operator's MIE event
RUN_KEY: Final = "EngineRun"  # under the event: bucket, prefix, threads (small, passed to every batch)
BATCHES_KEY: Final = "EngineBatches"  # under the event: the Map's items
BATCH_KEY: Final = "Batch"
DONE_KEY: Final = "Done"
CALLBACK_KEY: Final = "Callback"  # what SendTaskSuccess gave a stream or batch engine's start
TOKEN_KEY: Final = "TaskToken"
TIMED_OUT_KEY: Final = "TimedOut"  # the callback never came: heartbeat or maxTTL ran out
WAIT_KEY: Final = "EngineWaitSeconds"  # under the event: chunks answered later are not all in yet
