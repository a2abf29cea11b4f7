"""The shared toolkit of the sample engines: the `/process` form, the service, task webhooks, media.

An engine subclasses `ChunkEngine` (one VTN answer per call) or `TaskEngine` (stream or batch:
heartbeats and results on the webhooks) and calls `serve(engine)` from its `__main__`.
"""

from engines.toolkit.form import BadInputError, ProcessRequest, parse_process_form
from engines.toolkit.service import ChunkEngine, Engine, EngineService, TaskEngine, serve
from engines.toolkit.task import EngineFailure, FailureReason, HeartbeatStatus, TaskReporter

__all__ = [
    "BadInputError",
    "ChunkEngine",
    "Engine",
    "EngineFailure",
    "EngineService",
    "FailureReason",
    "HeartbeatStatus",
    "ProcessRequest",
    "TaskEngine",
    "TaskReporter",
    "parse_process_form",
    "serve",
]
