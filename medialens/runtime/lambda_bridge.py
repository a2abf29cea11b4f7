"""Route moto's Lambda invocations to our worker pool.

In moto 5.2.5 every invocation — the Invoke API, a Step Functions Task (its interpreter calls the
moto server's Invoke API), an S3/SNS notification — ends in `LambdaFunction.invoke(body,
request_headers, response_headers)`. Patching that one method makes all of them run our handlers:
the platform's own functions by name, the functions users create through the Lambda API through
`UserFunctions` (their uploaded code, layers and settings). moto's own implementation, which runs
Docker, is never reached while a bridge with user functions is installed.
"""

from __future__ import annotations

import base64
import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from moto.awslambda.models import LambdaFunction

from medialens.runtime.functions import FunctionSpec
from medialens.runtime.patching import MethodPatch, error_summary
from medialens.runtime.user_functions import UserFunctions
from medialens.runtime.workers import InvokeResult

LOG = logging.getLogger(__name__)
_LOG_RESULT_BYTES = 4096


class Invoker(Protocol):
    @property
    def function_names(self) -> frozenset[str]: ...

    def invoke(self, function_name: str, payload: bytes) -> InvokeResult: ...


_original_invoke: Callable[..., str | bytes] = LambdaFunction.invoke


def _header(headers: Any, name: str, default: str) -> str:
    # Server mode hands a case-insensitive werkzeug object; in-process callers a plain dict.
    for key, value in dict(headers or {}).items():
        if key.lower() == name:
            return str(value)
    return default


def _patched_invoke(self: LambdaFunction, body: Any, request_headers: Any, response_headers: Any) -> Any:
    bridge = LambdaBridge.active()
    if bridge is None:
        return _original_invoke(self, body, request_headers, response_headers)
    if self.function_name in bridge.invoker.function_names:
        return bridge.handle(self.function_name, body, request_headers, response_headers)
    if bridge.user_functions is None:
        return _original_invoke(self, body, request_headers, response_headers)
    prepared = bridge.user_functions.prepare(self)
    if isinstance(prepared, InvokeResult):
        return bridge.respond(prepared, request_headers, response_headers)
    return bridge.handle(prepared, body, request_headers, response_headers)


class LambdaBridge(MethodPatch):
    """While installed, moto runs the invoker's functions; a context manager or install/uninstall."""

    owner = LambdaFunction
    attribute = "invoke"
    replacement = _patched_invoke
    original = _original_invoke
    thread_name = "lambda-async"

    def __init__(
        self,
        invoker: Invoker,
        *,
        user_functions: UserFunctions | None = None,
        async_threads: int = 8,
        coalesced: frozenset[str] = frozenset(),
    ) -> None:
        """`coalesced`: platform functions whose `Event` invocations are nudges ("look now"): one
        queued and not yet started covers a later identical one, which is then not queued again."""
        super().__init__(threads=async_threads)
        self.invoker = invoker
        self.user_functions = user_functions
        self.coalesced = coalesced

    def handle(self, name: str, body: Any, request_headers: Any, response_headers: Any) -> bytes:
        payload = body.encode("utf-8") if isinstance(body, str) else bytes(body or b"")
        payload = payload or b"{}"
        invocation_type = _header(request_headers, "x-amz-invocation-type", "RequestResponse")
        if invocation_type == "DryRun":
            return b""
        if invocation_type == "Event":
            # Lambda queues an async invocation and answers 202 at once (moto's responses.py
            # turns the Event header into the 202).
            self.submit_invocation(self.invoker.invoke, name, payload, LOG, coalesce=name in self.coalesced)
            return b""
        return self.respond(self.invoker.invoke(name, payload), request_headers, response_headers)

    def respond(self, result: InvokeResult, request_headers: Any, response_headers: Any) -> bytes:
        """The Invoke answer for `result` (an Event invocation answers 202 with no body)."""
        if _header(request_headers, "x-amz-invocation-type", "RequestResponse") != "RequestResponse":
            if result.function_error:
                LOG.warning("invocation failed: %s", error_summary(result.payload))
            return b""
        if result.function_error:
            # moto's responses.py passes this header on; boto3 exposes it as FunctionError and
            # the Step Functions interpreter then reads errorType from the payload.
            response_headers["x-amz-function-error"] = result.function_error
        tail = result.log_tail.encode("utf-8")[-_LOG_RESULT_BYTES:]
        response_headers["x-amz-log-result"] = base64.b64encode(tail).decode("ascii")
        return result.payload


def _placeholder_zip() -> bytes:
    # moto stores the code but never runs it; the pool runs the real handler.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("placeholder.py", "# runs in the Medialens worker pool\n")
    return buffer.getvalue()


def ensure_role(iam_client: Any, name: str = "medialens-local-lambda") -> str:
    """The ARN of an IAM role Lambda functions can be created with (moto checks it exists)."""
    try:
        return str(iam_client.get_role(RoleName=name)["Role"]["Arn"])
    except iam_client.exceptions.NoSuchEntityException:
        trust = (
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
            '{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
        )
        return str(iam_client.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"])


def register_functions(lambda_client: Any, specs: Iterable[FunctionSpec], role_arn: str) -> dict[str, str]:
    """Create (or update) each function in moto so its name and ARN resolve; returns name -> ARN."""
    code = _placeholder_zip()
    arns: dict[str, str] = {}
    for spec in specs:
        settings: Mapping[str, Any] = {
            "Runtime": "python3.11",
            "Role": role_arn,
            "Handler": spec.handler,
            "Timeout": max(1, int(spec.timeout_seconds)),
            "MemorySize": spec.memory_mb,
            "Environment": {"Variables": dict(spec.environment)},
        }
        try:
            made = lambda_client.create_function(FunctionName=spec.name, Code={"ZipFile": code}, **settings)
        except lambda_client.exceptions.ResourceConflictException:
            made = lambda_client.update_function_configuration(FunctionName=spec.name, **settings)
        arns[spec.name] = made["FunctionArn"]
    return arns
