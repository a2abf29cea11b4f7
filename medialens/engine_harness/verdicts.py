"""Judging an engine's answers as the platform does: every answer validated against VTN, then the
answers merged into one document (`operators.engine.vtn.merge`) and that validated too.

`off` checks nothing; `warn` reports problems without failing; `strict` fails the run with every
problem's JSON path, as a strict operator fails (`operators.engine.results.conclude`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.engines.models import EngineBlock, ValidationMode
from api.engines.plan import Chunk
from medialens.engine_harness.report import Report
from operators.engine.vtn import contracts_for, merge, validate

SOURCE_ENGINE_NAME = "medialens-engine-test"


@dataclass(frozen=True)
class RunContext:
    """What a chunk run or a task run works with."""

    block: EngineBlock
    report: Report


def judge_output(context: RunContext, name: str, output: Any) -> list[str]:
    """The answer's VTN problems (none when validation is off); strict → a failure naming them."""
    mode = context.block.Validation.Mode
    if mode is ValidationMode.OFF:
        return []
    if not isinstance(output, dict):
        problems = [f"$: the answer is JSON but not an object ({type(output).__name__}); VTN is an object"]
    else:
        contracts = contracts_for(output, context.block.Validation.Contracts)
        if contracts and "validationContracts" not in output:
            output = {**output, "validationContracts": contracts}  # as the merged document declares them
        problems = validate(output, contracts)
    if problems:
        summary = f"{name}: not valid VTN ({len(problems)} problems): {'; '.join(problems)}"
        if mode is ValidationMode.STRICT:
            context.report.fail(summary)
        else:
            context.report.warnings.append(summary)
    return problems


def conclude(context: RunContext, outputs: list[tuple[Chunk, dict[str, Any]]], *, time_based: bool) -> None:
    """Merge the answers into the report's document and validate it (the platform's `conclude`)."""
    block, report = context.block, context.report
    document = merge(outputs, time_based=time_based)
    engine_id = (block.Manifest.model_extra or {}).get("engineId", SOURCE_ENGINE_NAME)
    document.setdefault("sourceEngineName", str(engine_id))
    contracts = contracts_for(document, block.Validation.Contracts)
    if contracts and "validationContracts" not in document:
        document["validationContracts"] = contracts
    report.merged = document
    checked = block.Validation.Mode is not ValidationMode.OFF
    problems = validate(document, contracts) if checked else []
    report.validation["problems"] = problems
    # The platform merges only a run that has not failed already: one reason, not a second.
    if problems and block.Validation.Mode is ValidationMode.STRICT and not report.failures:
        report.fail(f"merged document: not valid VTN ({len(problems)} problems): {'; '.join(problems)}")
