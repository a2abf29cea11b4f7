"""States that run sub-graphs: Parallel (fixed branches) and Map (one processor run per item)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

from api.workflow.asl.base import FlowState, PathValue, path_value, put_path, result_path_value
from api.workflow.asl.errors import AslValidationError
from api.workflow.asl.graph import Chain, Graph, as_graph
from api.workflow.asl.payload import JsonObject, TemplateObject, is_int_at_least, render_template
from api.workflow.asl.retry import Catcher, Retrier, catch_targets, check_policies, put_policies


@dataclass(frozen=True, kw_only=True)
class Parallel(FlowState):
    """Runs every branch on the same input; the result is the list of branch outputs, in order."""

    TYPE = "Parallel"

    branches: Sequence[Graph | Chain] = ()
    input_path: PathValue = None
    parameters: TemplateObject | None = None
    result_selector: TemplateObject | None = None
    result_path: PathValue = None
    output_path: PathValue = None
    retry: Sequence[Retrier] = ()
    catch: Sequence[Catcher] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "branches", tuple(as_graph(branch) for branch in self.branches))
        object.__setattr__(self, "parameters", copy.deepcopy(self.parameters))
        object.__setattr__(self, "result_selector", copy.deepcopy(self.result_selector))
        object.__setattr__(self, "retry", tuple(self.retry))
        object.__setattr__(self, "catch", tuple(self.catch))
        check_policies(self.retry, self.catch, owner=f"Parallel {self.name!r}")
        self._fields()

    def _fields(self) -> JsonObject:
        where = f"Parallel {self.name!r}"
        out: JsonObject = {"Branches": [as_graph(branch).to_dict() for branch in self.branches]}
        put_path(out, "InputPath", path_value(self.input_path, what=f"{where} InputPath"))
        if self.parameters is not None:
            out["Parameters"] = render_template(self.parameters, what=f"{where} Parameters")
        if self.result_selector is not None:
            out["ResultSelector"] = render_template(self.result_selector, what=f"{where} ResultSelector")
        put_path(out, "ResultPath", result_path_value(self.result_path, what=f"{where} ResultPath"))
        put_path(out, "OutputPath", path_value(self.output_path, what=f"{where} OutputPath"))
        put_policies(out, self.retry, self.catch)
        return out

    def targets(self) -> tuple[tuple[str, str], ...]:
        return (*super().targets(), *catch_targets(self.catch))

    def scopes(self) -> tuple[tuple[str, Graph], ...]:
        return tuple((f"Branches[{index}]", as_graph(branch)) for index, branch in enumerate(self.branches))


@dataclass(frozen=True, kw_only=True)
class Map(FlowState):
    """Runs ``processor`` once per item of the array at ``items_path`` (inline mode).

    ``item_selector`` shapes each item's input (``$$.Map.Item.Value`` is the item). Serialised as
    ``ItemProcessor``; ``legacy_iterator=True`` writes the older ``Iterator`` / ``Parameters`` form.
    """

    TYPE = "Map"

    processor: Graph | Chain
    items_path: PathValue = None
    item_selector: TemplateObject | None = None
    max_concurrency: int | None = None
    input_path: PathValue = None
    result_selector: TemplateObject | None = None
    result_path: PathValue = None
    output_path: PathValue = None
    retry: Sequence[Retrier] = ()
    catch: Sequence[Catcher] = ()
    legacy_iterator: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "processor", as_graph(self.processor))
        object.__setattr__(self, "item_selector", copy.deepcopy(self.item_selector))
        object.__setattr__(self, "result_selector", copy.deepcopy(self.result_selector))
        object.__setattr__(self, "retry", tuple(self.retry))
        object.__setattr__(self, "catch", tuple(self.catch))
        if self.max_concurrency is not None and not is_int_at_least(self.max_concurrency, 0):
            raise AslValidationError([f"Map {self.name!r}: MaxConcurrency must be an integer >= 0"])
        check_policies(self.retry, self.catch, owner=f"Map {self.name!r}")
        self._fields()

    def _fields(self) -> JsonObject:
        where = f"Map {self.name!r}"
        out: JsonObject = {}
        put_path(out, "InputPath", path_value(self.input_path, what=f"{where} InputPath"))
        put_path(out, "ItemsPath", path_value(self.items_path, what=f"{where} ItemsPath", reference=True))
        selector_key = "Parameters" if self.legacy_iterator else "ItemSelector"
        if self.item_selector is not None:
            out[selector_key] = render_template(self.item_selector, what=f"{where} {selector_key}")
        body = as_graph(self.processor).to_dict()
        if self.legacy_iterator:
            out["Iterator"] = body
        else:
            out["ItemProcessor"] = {"ProcessorConfig": {"Mode": "INLINE"}, **body}
        if self.max_concurrency is not None:
            out["MaxConcurrency"] = self.max_concurrency
        if self.result_selector is not None:
            out["ResultSelector"] = render_template(self.result_selector, what=f"{where} ResultSelector")
        put_path(out, "ResultPath", result_path_value(self.result_path, what=f"{where} ResultPath"))
        put_path(out, "OutputPath", path_value(self.output_path, what=f"{where} OutputPath"))
        put_policies(out, self.retry, self.catch)
        return out

    def targets(self) -> tuple[tuple[str, str], ...]:
        return (*super().targets(), *catch_targets(self.catch))

    def scopes(self) -> tuple[tuple[str, Graph], ...]:
        label = "Iterator" if self.legacy_iterator else "ItemProcessor"
        return ((label, as_graph(self.processor)),)
