"""A warm Lambda worker: `python -m medialens.runtime.worker_main`.

Started by `WorkerPool` with the function's environment. It imports the handler named by `_HANDLER`
once, then answers invocation frames on its private pipe pair until the pool closes the pipe.
Errors are reported the way the Lambda Python runtime reports them, so Step Functions Retry/Catch
match on the same names locally as on AWS.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import json
import logging
import os
import resource
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, TextIO

from medialens.runtime.protocol import FDS_ENV, ISOLATED_ENV, FrameEOFError, read_frame, write_frame

_LOG_TAIL_CHARS = 4096  # Lambda's LogType=Tail returns the last 4 KB
Handler = Callable[[Any, Any], Any]
# The platform's own top-level packages (pyproject's package list). A user's function on AWS sees
# them only through a layer it attaches, so an isolated worker finds them only in its own folders.
PLATFORM_PACKAGES = frozenset(
    {"medialens", "medialens_helper", "MediaInsightsEngineLambdaHelper", "api", "operators"}
)
# awslambdaric joins the lines of an error record with "\r": one log event, several lines.
_RECORD_LINE_SEPARATOR = "\r"


class _OwnFoldersOnly(importlib.abc.MetaPathFinder):
    """Finds the platform's package names in the function's folders, or nowhere."""

    def __init__(self, folders: Sequence[str]) -> None:
        self._folders = list(folders)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if path is not None or fullname not in PLATFORM_PACKAGES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, self._folders)
        if spec is None:
            raise ModuleNotFoundError(f"No module named '{fullname}'", name=fullname)
        return spec


def _isolate(folders: Sequence[str]) -> None:
    # Ahead of the editable install's finder and of the runtime's own folders on sys.path.
    for name in [name for name in sys.modules if name.partition(".")[0] in PLATFORM_PACKAGES]:
        del sys.modules[name]
    sys.meta_path.insert(0, _OwnFoldersOnly(folders))


class _Tee:
    """Writes through to the real stream and keeps the current invocation's output tail."""

    def __init__(self, stream: TextIO, tail: list[str]) -> None:
        self._stream = stream
        self._tail = tail

    def write(self, text: str) -> int:
        self._tail.append(text)
        if sum(map(len, self._tail)) > 4 * _LOG_TAIL_CHARS:
            joined = "".join(self._tail)[-_LOG_TAIL_CHARS:]
            self._tail[:] = [joined]
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        # fileno, flush, isatty, encoding... behave like the real stream
        return getattr(self._stream, name)


class LambdaContext:
    """The `context` argument, with the attributes and method of the Lambda Python runtime's."""

    def __init__(self, request_id: str, deadline_ms: int) -> None:
        env = os.environ
        self.function_name = env["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", f"/aws/lambda/{self.function_name}")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        self.invoked_function_arn = env.get("MEDIALENS_FUNCTION_ARN", self.function_name)
        self.aws_request_id = request_id
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _error(error_type: str, message: str, trace: list[str] | None = None) -> dict[str, Any]:
    return {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": trace or []}


def _load_handler(spec: str) -> Handler | dict[str, Any]:
    """The handler, or the error payload Lambda would report for it (as awslambdaric does)."""
    modname, _, fname = spec.rpartition(".")
    if not modname or not fname:
        message = f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)"
        return _error("Runtime.MalformedHandlerName", message)
    try:
        module = importlib.import_module(modname)
    except ImportError as exc:
        return _error("Runtime.ImportModuleError", f"Unable to import module '{modname}': {exc}")
    except SyntaxError as exc:
        return _error("Runtime.UserCodeSyntaxError", f"Syntax error in module '{modname}': {exc}")
    except Exception as exc:
        return _exception_payload(exc)
    handler = getattr(module, fname, None)
    if not callable(handler):
        return _error("Runtime.HandlerNotFound", f"Handler '{fname}' missing on module '{modname}'")
    return handler


def _exception_payload(exc: BaseException) -> dict[str, Any]:
    # The runtime's own frame is not the user's business; Lambda leaves it out too.
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename != __file__]
    trace = traceback.format_list(frames)
    return _error(type(exc).__name__, str(exc), trace)


class _LambdaLogFormatter(logging.Formatter):
    """The Lambda Python runtime's log line: `[LEVEL]\t<UTC time>Z\t<request id>\t<message>`,
    a multi-line record (a logged traceback) kept as one log event."""

    request_id = ""

    def __init__(self) -> None:
        super().__init__("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s")
        self.datefmt = "%Y-%m-%dT%H:%M:%S"
        self.converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        record.aws_request_id = self.request_id
        return super().format(record).replace("\n", _RECORD_LINE_SEPARATOR)


def log_error_record(payload: dict[str, Any], stream: TextIO | _Tee) -> None:
    """`[ERROR] Type: message` and the traceback, as the Lambda Python runtime logs an error."""
    lines = [f"[ERROR] {payload.get('errorType')}: {payload.get('errorMessage')}"]
    trace = payload.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            lines.extend(str(element).splitlines() or [""])
    stream.write(_RECORD_LINE_SEPARATOR.join(lines) + "\n")
    stream.flush()


def _report_line(request_id: str, started: float) -> str:
    elapsed = (time.monotonic() - started) * 1000
    memory = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
    used_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # Linux: KiB
    return (
        f"REPORT RequestId: {request_id}\tDuration: {elapsed:.2f} ms\tBilled Duration: {int(elapsed) + 1} ms"
        f"\tMemory Size: {memory} MB\tMax Memory Used: {used_mb} MB"
    )


def _invoke(handler: Handler, request: dict[str, Any]) -> dict[str, Any]:
    request_id = request["request_id"]
    context = LambdaContext(request_id, int(request["deadline_ms"]))
    try:
        event = json.loads(request["event"])
    except ValueError as exc:
        message = f"Unable to unmarshal input: {exc}"
        return {"function_error": "Unhandled", "payload": _error("Runtime.UnmarshalError", message)}
    try:
        result = handler(event, context)
    except Exception as exc:
        return {"function_error": "Unhandled", "payload": _exception_payload(exc)}
    try:
        return {"function_error": None, "payload": json.dumps(result)}
    except (TypeError, ValueError) as exc:
        message = f"Unable to marshal response: {exc}"
        return {"function_error": "Unhandled", "payload": _error("Runtime.MarshalError", message)}


def main() -> int:
    read_fd, write_fd = (int(part) for part in os.environ[FDS_ENV].split(","))
    tail: list[str] = []
    real_stdout = sys.stdout
    sys.stdout = _Tee(sys.stdout, tail)
    sys.stderr = _Tee(sys.stderr, tail)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LambdaLogFormatter())
    logging.getLogger().addHandler(handler)
    if ISOLATED_ENV in os.environ:
        _isolate(os.environ[ISOLATED_ENV].split(os.pathsep))
    version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")

    loaded = _load_handler(os.environ["_HANDLER"])
    if isinstance(loaded, dict):
        log_error_record(loaded, real_stdout)
        write_frame(write_fd, {"ready": False, "error": loaded, "log": "".join(tail)})
        return 1
    write_frame(write_fd, {"ready": True})
    while True:
        try:
            request = read_frame(read_fd)
        except FrameEOFError:
            # The pool closed our pipe: the environment ends, as Lambda's does, without the
            # interpreter's teardown (a tenth of a second of CPU each, dozens of workers a stop).
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        tail.clear()
        _LambdaLogFormatter.request_id = request["request_id"]
        started = time.monotonic()
        print(f"START RequestId: {request['request_id']} Version: {version}", file=real_stdout)
        real_stdout.flush()
        answer = _invoke(handler=loaded, request=request)
        if isinstance(answer["payload"], dict):
            answer["payload"]["requestId"] = request["request_id"]
            log_error_record(answer["payload"], sys.stdout)
            answer["payload"] = json.dumps(answer["payload"])
        sys.stdout.flush()
        sys.stderr.flush()
        answer["log"] = "".join(tail)[-_LOG_TAIL_CHARS:]
        print(f"END RequestId: {request['request_id']}", file=real_stdout)
        print(_report_line(request["request_id"], started), file=real_stdout)
        real_stdout.flush()
        write_frame(write_fd, answer)


if __name__ == "__main__":
    sys.exit(main())
