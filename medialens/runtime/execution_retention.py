"""Bounded memory for moto's Step Functions executions.

moto keeps every execution it ever ran in memory, with its interpreter environment and its whole
event history, and finds one by a linear scan of its state machine's list: after a few thousand
executions the platform process grows without bound and every `DescribeExecution` slows down.
AWS keeps a standard workflow's history for 90 days; the local runtime keeps, per state machine,
every running execution, every execution that ended in the last `min_age_seconds`, and the newest
`keep_per_machine` of the older ended ones (at 4 executions a second, one 10-minute window held
2,400 executions of about 400 KiB each: the window is a minute). The platform's own execution
records (DynamoDB) are not touched: `GET /workflow/execution/{Id}` answers for every execution,
however old.

moto also lists every thread its interpreter starts (an execution, each Parallel branch) in
`TMP_THREADS`, for its own tests to join, and never empties it: finished ones are dropped too.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from moto.stepfunctions.parser.models import stepfunctions_parser_backends
from moto.stepfunctions.parser.utils import TMP_THREADS

LOG = logging.getLogger(__name__)
KEEP_PER_MACHINE = 200
MIN_AGE_SECONDS = 60.0


def _ended_before(execution: Any, cutoff: datetime.datetime) -> bool:
    stopped = getattr(execution, "stop_date", None)
    return stopped is not None and getattr(execution, "status", "RUNNING") != "RUNNING" and stopped < cutoff


def prune_executions(
    *, keep_per_machine: int = KEEP_PER_MACHINE, min_age_seconds: float = MIN_AGE_SECONDS
) -> int:
    """Drop old ended executions from every moto Step Functions backend; returns how many."""
    cutoff = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(seconds=min_age_seconds)
    dropped = 0
    for account in list(stepfunctions_parser_backends.values()):
        for backend in list(account.values()):
            for machine in list(backend.state_machines):
                executions = machine.executions
                old = [e for e in list(executions) if _ended_before(e, cutoff)]
                old.sort(key=lambda e: e.stop_date or cutoff)
                for execution in old[: max(0, len(old) - keep_per_machine)]:
                    # One remove at a time: a start may append to the list meanwhile.
                    try:
                        executions.remove(execution)
                    except ValueError:
                        continue
                    dropped += 1
    for thread in [thread for thread in list(TMP_THREADS) if not thread.is_alive()]:
        # One remove at a time: the interpreter appends new threads meanwhile.
        try:
            TMP_THREADS.remove(thread)
        except ValueError:
            continue
    if dropped:
        LOG.info("dropped %d ended Step Functions executions from memory", dropped)
    return dropped
