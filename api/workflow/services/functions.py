"""The Lambda functions an operation names must exist: MIE answered 400 "one of the input lambdas
was not found" (seed 004, section 5, `POST /workflow/operation`).

Checked with `lambda:GetFunctionConfiguration`, which returns the configuration only (GetFunction
adds a download URL of the code, and needs `lambda:ListTags` on a tagged function). On AWS the
API's role may read exactly the functions the workflows' state machines may invoke (those tagged
`medialens:invokable-by=<stack>`, see `infrastructure/state_machines.py`), so a function it may
not read is one a workflow could not run either, and the 400 says which tag it lacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from api.common.messages import quoted
from api.workflow.errors import BadRequestError

LATEST_QUALIFIER = ":$LATEST"
_NOT_FOUND = frozenset({"ResourceNotFoundException"})
_DENIED = frozenset({"AccessDeniedException", "AccessDenied"})
_INVALID = frozenset({"InvalidParameterValueException", "ValidationException"})


class LambdaFunctions:
    def __init__(self, client: Any, invoke_tag: str | None = None) -> None:
        """`invoke_tag` is `key=value`, the tag a function needs for the workflows to invoke it."""
        self._client = client
        self._invoke_tag = invoke_tag

    def require(self, arns: Mapping[str, str | None]) -> None:
        """400 naming each field whose function does not exist (or may not be used); None is skipped."""
        problems = [
            f"{field}: {problem}"
            for field, arn in arns.items()
            if arn is not None and (problem := self._problem(arn)) is not None
        ]
        if problems:
            raise BadRequestError("; ".join(problems))

    def _problem(self, arn: str) -> str | None:
        try:
            # `:$LATEST` names the unqualified function; looked up without it, as moto's Lambda
            # (the local platform's) routes no "$" in a function name and answered a bare 404.
            self._client.get_function_configuration(FunctionName=arn.removesuffix(LATEST_QUALIFIER))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in _NOT_FOUND:
                return f"Lambda function {quoted(arn)} does not exist"
            if code in _DENIED:
                fix = f": tag it {self._invoke_tag}" if self._invoke_tag else ""
                return f"this platform may not use Lambda function {quoted(arn)}{fix}"
            if code in _INVALID:
                return f"{quoted(arn)} is not a function Lambda can find here (wrong region?)"
            raise  # throttling, an outage: not the client's mistake
        return None
