"""The Lambda API refuses, as Lambda does, what the local runtime could never run.

moto 5.2.5 accepts any runtime and any bytes as a deployment package (its invoke would then try
Docker). While a `LambdaGuard` is installed, moto's Lambda models answer instead:
- a runtime other than python3.9-python3.13, or an image package: InvalidParameterValueException
  naming the runtime (Lambda would run it; this platform runs Python functions only);
- a zip-package function without Runtime or Handler: InvalidParameterValueException, with
  Lambda's message;
- function code or layer content that is not a zip: InvalidParameterValueException, "Could not
  unzip uploaded file...", as Lambda says, and the function keeps its previous code; a zip with
  an entry that would land outside its folder (absolute, `..`, a symbolic link) is refused too.

moto's own way to run a function (a Docker container) is replaced by an error result too: the
Lambda bridge runs every function while the platform is up, and in the moments of a start or stop
when it is not installed, a Step Functions task still calling Lambda gets
`NOT_RUNNING_MESSAGE` instead of an attempt to reach Docker.

It also mends moto's Invoke, which reads the query parameter `qualifier` while the Lambda API (and
boto3, the CLI) send `Qualifier`: without it `invoke --qualifier 1` would run `$LATEST`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from moto.awslambda.exceptions import InvalidParameterValueException
from moto.awslambda.models import LambdaBackend, LambdaFunction, LayerVersion
from moto.awslambda.responses import LambdaResponse

from medialens.runtime.functions import PYTHON_RUNTIMES
from medialens.runtime.user_code import archive_problem

NOT_RUNNING_MESSAGE = "the local runtime is not running functions now (the platform is starting or stopping)"
_CODE_FIELDS = ("code_bytes", "code_size", "code_sha_256", "code_digest")
_lock = threading.Lock()


def check_runtime(runtime: Any, package_type: Any = "Zip") -> None:
    """Raise InvalidParameterValueException unless the local runtime can run this function."""
    if package_type == "Image":
        raise InvalidParameterValueException(
            "Image packages are not supported by the Medialens local runtime: "
            f"it runs zip packages of the Python runtimes ({', '.join(PYTHON_RUNTIMES)})."
        )
    if runtime not in PYTHON_RUNTIMES:
        raise InvalidParameterValueException(
            f"The runtime parameter of {runtime} is not supported by the Medialens local runtime: "
            f"it runs Python functions only ({', '.join(PYTHON_RUNTIMES)})."
        )


_original_create: Callable[..., Any] = LambdaBackend.create_function
_original_set_code: Callable[..., Any] = LambdaFunction._set_function_code
_original_update_config: Callable[..., Any] = LambdaFunction.update_configuration
_original_layer_init: Callable[..., Any] = LayerVersion.__init__
_original_delete: Callable[..., Any] = LambdaBackend.delete_function
_original_invoke_response: Callable[..., Any] = LambdaResponse.invoke
_original_run: Callable[..., Any] = LambdaFunction._invoke_lambda


def _create_function(self: LambdaBackend, spec: dict[str, Any]) -> LambdaFunction:
    package_type = spec.get("PackageType", "Zip")
    if package_type == "Zip" and (not spec.get("Runtime") or not spec.get("Handler")):
        raise InvalidParameterValueException(
            "Runtime and Handler are mandatory parameters for functions created with deployment packages."
        )
    check_runtime(spec.get("Runtime"), package_type)
    created: LambdaFunction = _original_create(self, spec)
    return created


def _set_function_code(self: LambdaFunction, updated_spec: dict[str, Any]) -> None:
    before = {name: getattr(self, name) for name in _CODE_FIELDS if hasattr(self, name)}
    code_before = dict(self.code)
    _original_set_code(self, updated_spec)
    problem = archive_problem(self.code_bytes) if self.package_type == "Zip" else None
    if problem is not None:
        for name, value in before.items():
            setattr(self, name, value)
        self.code.clear()
        self.code.update(code_before)
        raise InvalidParameterValueException(problem)


def _update_configuration(self: LambdaFunction, config_updates: dict[str, Any]) -> dict[str, Any]:
    if "Runtime" in config_updates:
        check_runtime(config_updates["Runtime"], self.package_type)
    updated: dict[str, Any] = _original_update_config(self, config_updates)
    return updated


def _layer_init(self: LayerVersion, spec: dict[str, Any], account_id: str, region: str) -> None:
    _original_layer_init(self, spec, account_id, region)
    problem = archive_problem(self.code_bytes)
    if problem is not None:
        raise InvalidParameterValueException(problem)


def _delete_function(self: LambdaBackend, function_name: str, qualifier: str | None = None) -> None:
    _original_delete(self, function_name, qualifier)
    # "name", "name:qualifier" or an ARN, as the API accepts it
    name = function_name.split(":function:")[-1].split(":")[0]
    guard = LambdaGuard.active
    if guard is not None and guard.on_delete is not None:
        guard.on_delete(name)


def _not_running(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
    # moto's LambdaFunction.invoke reads (payload, errored, log tail) and marks the answer an error.
    payload = {"errorType": "Runtime.Unavailable", "errorMessage": NOT_RUNNING_MESSAGE}
    return json.dumps(payload), True, ""


def _invoke_response(self: LambdaResponse) -> Any:
    qualifier = self._get_param("Qualifier")
    if qualifier is not None:
        read = self._get_param

        def with_qualifier(name: str, if_none: Any = None) -> Any:
            return qualifier if name == "qualifier" else read(name, if_none)

        self._get_param = with_qualifier  # type: ignore[method-assign,assignment]  # this request's object only
    return _original_invoke_response(self)


_PATCHES: tuple[tuple[type, str, Callable[..., Any], Callable[..., Any]], ...] = (
    (LambdaBackend, "create_function", _create_function, _original_create),
    (LambdaFunction, "_set_function_code", _set_function_code, _original_set_code),
    (LambdaFunction, "update_configuration", _update_configuration, _original_update_config),
    (LayerVersion, "__init__", _layer_init, _original_layer_init),
    (LambdaBackend, "delete_function", _delete_function, _original_delete),
    (LambdaResponse, "invoke", _invoke_response, _original_invoke_response),
    (LambdaFunction, "_invoke_lambda", _not_running, _original_run),
)


class LambdaGuard:
    """Installs the checks above on moto's Lambda models; a context manager.

    `on_delete(name)` is called after a function (or one of its versions) is deleted, so the
    runtime can stop its workers.
    """

    active: LambdaGuard | None = None

    def __init__(self, on_delete: Callable[[str], None] | None = None) -> None:
        self.on_delete = on_delete

    def install(self) -> None:
        with _lock:
            if LambdaGuard.active is self:
                return
            if LambdaGuard.active is not None:
                raise RuntimeError("another LambdaGuard is installed")
            for owner, name, replacement, _ in _PATCHES:
                setattr(owner, name, replacement)
            LambdaGuard.active = self

    def uninstall(self) -> None:
        with _lock:
            if LambdaGuard.active is self:
                for owner, name, _, original in _PATCHES:
                    setattr(owner, name, original)
                LambdaGuard.active = None

    def __enter__(self) -> LambdaGuard:
        self.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self.uninstall()
