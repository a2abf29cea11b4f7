"""The Task state: call a Lambda function (or another service integration) and keep its result."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

from api.workflow.asl.base import FlowState, PathValue, path_value, put_path, result_path_value
from api.workflow.asl.errors import AslValidationError
from api.workflow.asl.paths import JsonPath
from api.workflow.asl.payload import JsonObject, Template, TemplateObject, is_int_at_least, render_template
from api.workflow.asl.retry import Catcher, Retrier, catch_targets, check_policies, put_policies

# The optimised Lambda integration: Parameters carry FunctionName and Payload; the state's result
# is the Invoke response, with the function's return value under "Payload".
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


def lambda_invoke_parameters(
    function_name: str, payload: TemplateObject | JsonPath | None = None
) -> dict[str, Template]:
    """A ``Parameters`` template for ``LAMBDA_INVOKE``; by default the whole input is the payload."""
    return {"FunctionName": function_name, "Payload": JsonPath("$") if payload is None else payload}


@dataclass(frozen=True, kw_only=True)
class Task(FlowState):
    """Runs ``resource``: a Lambda function ARN, or ``LAMBDA_INVOKE`` with ``parameters``."""

    TYPE = "Task"

    resource: str
    input_path: PathValue = None
    parameters: TemplateObject | None = None
    result_selector: TemplateObject | None = None
    result_path: PathValue = None
    output_path: PathValue = None
    timeout_seconds: int | None = None
    timeout_seconds_path: PathValue = None
    heartbeat_seconds: int | None = None
    heartbeat_seconds_path: PathValue = None
    retry: Sequence[Retrier] = ()
    catch: Sequence[Catcher] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        # Copies: a caller mutating its dict/list later must not change a built state.
        for name in ("parameters", "result_selector"):
            object.__setattr__(self, name, copy.deepcopy(getattr(self, name)))
        object.__setattr__(self, "retry", tuple(self.retry))
        object.__setattr__(self, "catch", tuple(self.catch))
        problems = self._check_own_fields()
        if problems:
            raise AslValidationError(problems)
        check_policies(self.retry, self.catch, owner=f"Task {self.name!r}")
        self._fields()

    def _check_own_fields(self) -> list[str]:
        where = f"Task {self.name!r}"
        problems: list[str] = []
        if not isinstance(self.resource, str) or not self.resource.startswith("arn:"):
            problems.append(f"{where}: Resource must be an ARN, got {self.resource!r}")
        seconds = {"TimeoutSeconds": self.timeout_seconds, "HeartbeatSeconds": self.heartbeat_seconds}
        for label, value in seconds.items():
            if value is not None and not is_int_at_least(value, 1):
                problems.append(f"{where}: {label} must be a positive integer, got {value!r}")
        if self.timeout_seconds is not None and self.timeout_seconds_path is not None:
            problems.append(f"{where}: give TimeoutSeconds or TimeoutSecondsPath, not both")
        if self.heartbeat_seconds is not None and self.heartbeat_seconds_path is not None:
            problems.append(f"{where}: give HeartbeatSeconds or HeartbeatSecondsPath, not both")
        if (
            isinstance(self.timeout_seconds, int)
            and isinstance(self.heartbeat_seconds, int)
            and self.heartbeat_seconds >= self.timeout_seconds
        ):
            problems.append(f"{where}: HeartbeatSeconds must be smaller than TimeoutSeconds")
        return problems

    def _fields(self) -> JsonObject:
        where = f"Task {self.name!r}"
        out: JsonObject = {"Resource": self.resource}
        put_path(out, "InputPath", path_value(self.input_path, what=f"{where} InputPath"))
        if self.parameters is not None:
            out["Parameters"] = render_template(self.parameters, what=f"{where} Parameters")
        if self.result_selector is not None:
            out["ResultSelector"] = render_template(self.result_selector, what=f"{where} ResultSelector")
        put_path(out, "ResultPath", result_path_value(self.result_path, what=f"{where} ResultPath"))
        put_path(out, "OutputPath", path_value(self.output_path, what=f"{where} OutputPath"))
        if self.timeout_seconds is not None:
            out["TimeoutSeconds"] = self.timeout_seconds
        put_path(
            out,
            "TimeoutSecondsPath",
            path_value(self.timeout_seconds_path, what=f"{where} TimeoutSecondsPath", reference=True),
        )
        if self.heartbeat_seconds is not None:
            out["HeartbeatSeconds"] = self.heartbeat_seconds
        put_path(
            out,
            "HeartbeatSecondsPath",
            path_value(self.heartbeat_seconds_path, what=f"{where} HeartbeatSecondsPath", reference=True),
        )
        put_policies(out, self.retry, self.catch)
        return out

    def targets(self) -> tuple[tuple[str, str], ...]:
        return (*super().targets(), *catch_targets(self.catch))
