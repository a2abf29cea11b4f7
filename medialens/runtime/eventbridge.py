"""Deliver EventBridge events to Lambda targets.

moto 5.2.5's `Rule.send_to_targets` handles log groups, archives, SQS queues and event buses, and
raises NotImplementedError for a Lambda target (so put_events fails). While installed, the dispatcher
takes the Lambda targets out, invokes them asynchronously as EventBridge does, and leaves every
other target to moto.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.events.models import Rule
from moto.events.utils import EventTemplateParser

from medialens.runtime.patching import MethodPatch
from medialens.runtime.workers import InvokeResult

LOG = logging.getLogger(__name__)
Invoke = Callable[[str, bytes], InvokeResult]

_original_send: Callable[..., None] = Rule.send_to_targets


def _is_lambda(target: dict[str, Any]) -> bool:
    return str(target.get("Arn", "")).split(":")[2:3] == ["lambda"]


def _patched_send(self: Rule, original_event: Any, transform_input: bool = True) -> None:
    dispatcher = EventBridgeDispatcher.active()
    lambda_targets = [t for t in self.targets if _is_lambda(t)]
    if dispatcher is None or not lambda_targets:
        _original_send(self, original_event, transform_input)
        return
    if not self.event_pattern.matches_event(original_event):
        return
    others = copy.copy(self)  # a shallow copy, so the shared rule's target list is never mutated
    others.targets = [t for t in self.targets if not _is_lambda(t)]
    if others.targets:
        _original_send(others, original_event, transform_input)
    for target in lambda_targets:
        dispatcher.dispatch(target, original_event)


def _lambda_event(target: dict[str, Any], event: dict[str, Any]) -> bytes:
    """The payload EventBridge hands the target: Input, InputPath, InputTransformer or the event."""
    if "Input" in target:
        return str(target["Input"]).encode()
    transformer = target.get("InputTransformer")
    if transformer:
        parsed = EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event=event,  # type: ignore[arg-type]
        )
        return json.dumps(parsed).encode()
    shaped = {key: value for key, value in event.items() if key != "ingestion-time"}
    if isinstance(shaped.get("time"), int | float):  # moto keeps epoch seconds; AWS sends ISO text
        stamp = datetime.fromtimestamp(shaped["time"], UTC)
        shaped["time"] = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    path = str(target.get("InputPath", "$"))
    selected: Any = shaped
    for part in [p for p in path.removeprefix("$").split(".") if p]:
        selected = selected.get(part) if isinstance(selected, dict) else None
    return json.dumps(selected).encode()


class EventBridgeDispatcher(MethodPatch):
    """While installed, rules with Lambda targets invoke them through `invoke`, in the background."""

    owner = Rule
    attribute = "send_to_targets"
    replacement = _patched_send
    original = _original_send
    thread_name = "eventbridge"

    def __init__(self, invoke: Invoke, *, threads: int = 4) -> None:
        super().__init__(threads=threads)
        self._invoke = invoke

    def dispatch(self, target: dict[str, Any], event: dict[str, Any]) -> None:
        function_name = str(target["Arn"]).split(":")[6]
        payload = _lambda_event(target, event)
        self.submit_invocation(self._invoke, function_name, payload, LOG)
