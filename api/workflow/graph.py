"""The stage graph of a workflow: one chain from StartAt to a single End, no cycles, no strays.

Pure functions on names, so the rules are tested without DynamoDB or Step Functions.
"""

from __future__ import annotations

from collections.abc import Mapping

from api.common.messages import quoted


def stage_order(start_at: str, transitions: Mapping[str, str | None]) -> list[str]:
    """The stages in execution order, given each stage's `Next` (None for `End`).

    Raises ValueError, with a message for the client, when the graph is not one simple chain.
    """
    if not transitions:
        raise ValueError("Stages must name at least one stage")
    if start_at not in transitions:
        raise ValueError(f"StartAt {quoted(start_at)} is not one of the Stages of the workflow")
    dangling = sorted(
        f"{stage} -> {target}"
        for stage, target in transitions.items()
        if target is not None and target not in transitions
    )
    if dangling:
        raise ValueError(f"Next names a stage that is not in Stages: {', '.join(dangling)}")
    ends = sorted(stage for stage, target in transitions.items() if target is None)
    if len(ends) != 1:
        found = ", ".join(ends) if ends else "none"
        raise ValueError(f"exactly one stage must have End: true (found: {found})")
    order: list[str] = []
    seen: set[str] = set()
    current: str | None = start_at
    while current is not None:
        if current in seen:
            raise ValueError(f"the stages form a cycle at {quoted(current)}")
        seen.add(current)
        order.append(current)
        current = transitions[current]
    unreachable = sorted(set(transitions) - seen)
    if unreachable:
        raise ValueError(f"stages not reachable from StartAt: {', '.join(unreachable)}")
    return order
