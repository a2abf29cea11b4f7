"""A task run every few seconds on its own thread, as an EventBridge schedule rule runs its target."""

from __future__ import annotations

import logging
from collections.abc import Callable

from medialens.runtime.event_sources import PollingThread

LOG = logging.getLogger(__name__)


class PeriodicTask(PollingThread):
    """Calls `action` every `interval` seconds until stopped; a failing call is logged, not fatal."""

    def __init__(self, name: str, interval: float, action: Callable[[], object]) -> None:
        super().__init__(name, interval)
        self._action = action

    def _poll_once(self) -> bool:
        self._action()
        return False  # always wait a full interval before the next run
