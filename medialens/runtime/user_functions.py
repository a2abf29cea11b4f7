"""The functions users create through the Lambda API, run in the worker pool like the platform's.

moto stores what `create-function`, `update-function-code`, `update-function-configuration`,
`publish-version` and the alias calls say; at each invoke `UserFunctions.prepare` looks at the
function version moto resolved (its code, handler, runtime, environment, timeout, memory and
layers) and makes sure the pool runs exactly that. A change in any of them defines the pool entry
anew, so the next invoke runs the new code or configuration and no worker of the old one is
reused. The code is unpacked under `<state>/lambda/code/`, the layers under `<state>/lambda/layers/`.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.awslambda.utils import get_backend

from medialens.runtime.function_logs import ACCOUNT_ID
from medialens.runtime.functions import PYTHON_RUNTIMES, FunctionSpec
from medialens.runtime.user_code import UnsafeArchiveError, layer_paths, unpack
from medialens.runtime.workers import InvokeResult, WorkerPool


def _failure(error_type: str, message: str) -> InvokeResult:
    payload = json.dumps({"errorMessage": message, "errorType": error_type, "stackTrace": []})
    return InvokeResult(payload.encode(), "Unhandled", "")


def pool_key(function_name: str, version: str) -> str:
    """The pool's name for one version of a user's function (a function name has no ':')."""
    return f"{function_name}:{version}"


class UserFunctions:
    """Keeps the pool's entries for user functions in step with what moto holds; thread-safe."""

    def __init__(self, pool: WorkerPool, root: Path, region: str) -> None:
        self._pool = pool
        self._region = region
        self._root = root
        self._lock = threading.Lock()
        self._current: dict[str, tuple[Any, ...]] = {}
        self._layer_roots: dict[str, Path] = {}  # layer version ARN -> unpacked folder
        # Folders of an earlier run are stale: everything is unpacked again from moto's copy.
        shutil.rmtree(root, ignore_errors=True)

    def prepare(self, function: LambdaFunction) -> str | InvokeResult:
        """The pool key that runs this function version now, or the error Lambda would report."""
        key = pool_key(function.function_name, str(function.version))
        fingerprint = _fingerprint(function)
        with self._lock:
            if self._current.get(key) == fingerprint:
                return key
            made = self._spec(function)
            if isinstance(made, InvokeResult):
                return made
            self._pool.define(key, made)
            self._current[key] = fingerprint
        return key

    def invoke(self, function_name: str, payload: bytes) -> InvokeResult:
        """Run `$LATEST` of a user's function by name (an EventBridge target, a poller).

        Raises moto's UnknownFunctionException when there is no such function.
        """
        function = get_backend(ACCOUNT_ID, self._region).get_function(function_name)
        prepared = self.prepare(function)
        return prepared if isinstance(prepared, InvokeResult) else self._pool.invoke(prepared, payload)

    def forget(self, function_name: str) -> None:
        """Stop the workers of every version of a deleted function (a new one starts afresh)."""
        prefix = pool_key(function_name, "")
        with self._lock:
            for key in [key for key in self._current if key.startswith(prefix)]:
                del self._current[key]
                self._pool.remove(key)

    def _spec(self, function: LambdaFunction) -> FunctionSpec | InvokeResult:
        runtime = str(function.run_time)
        if runtime not in PYTHON_RUNTIMES:  # created before the guard was installed
            return _failure("Runtime.InvalidRuntime", f"The runtime {runtime} is not supported locally.")
        handler = str(function.handler or "")
        module, _, attribute = handler.rpartition(".")
        if not module or not attribute:
            message = f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)"
            return _failure("Runtime.MalformedHandlerName", message)
        try:
            task_root = unpack(function.code_bytes, self._root / "code")
            folders = [task_root]
            # A later layer's files win over an earlier one's, as when Lambda unpacks them to /opt.
            for layer in reversed(function.layers):
                folders += layer_paths(self._layer_root(function, layer["Arn"]), runtime)
        except (UnsafeArchiveError, LookupError, OSError) as exc:
            return _failure("Runtime.InvalidEntrypoint", f"The deployment package cannot be used: {exc}")
        return FunctionSpec(
            name=function.function_name,
            handler=handler,
            environment={str(k): str(v) for k, v in (function.environment_vars or {}).items()},
            timeout_seconds=float(function.timeout or 3),
            memory_mb=int(function.memory_size or 128),
            version=str(function.version),
            runtime=runtime,
            code_paths=tuple(folders),
            isolated=True,
        )

    def _layer_root(self, function: LambdaFunction, arn: str) -> Path:
        # Kept once unpacked: as on AWS, a function keeps a layer version deleted after it attached it.
        if arn not in self._layer_roots:
            layer = get_backend(function.account_id, function.region).layers_versions_by_arn(arn)
            if layer is None:
                raise LookupError(f"the layer version {arn} does not exist")
            self._layer_roots[arn] = unpack(layer.code_bytes, self._root / "layers")
        return self._layer_roots[arn]


def _fingerprint(function: LambdaFunction) -> tuple[Any, ...]:
    environment = tuple(sorted((function.environment_vars or {}).items()))
    layers = tuple(layer["Arn"] for layer in function.layers)
    return (
        function.code_sha_256,
        function.handler,
        function.run_time,
        function.timeout,
        function.memory_size,
        environment,
        layers,
    )
