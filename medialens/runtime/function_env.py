"""The environment of a Lambda function's worker process, as Lambda sets it for a function.

Lambda's reserved variables (`_HANDLER`, `AWS_LAMBDA_FUNCTION_NAME`, `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`,
`LAMBDA_TASK_ROOT`, ...: "Defined runtime environment variables" in the Lambda developer guide)
over the platform's base environment and the function's own variables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from medialens.runtime.function_logs import ACCOUNT_ID
from medialens.runtime.functions import FunctionSpec
from medialens.runtime.protocol import ISOLATED_ENV

# Of the platform's own environment, what a function's process inherits.
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")


def function_env(
    spec: FunctionSpec, code_paths: Sequence[Path], base_env: Mapping[str, str]
) -> dict[str, str]:
    """`spec`'s process environment: a few of this process's variables (PATH, HOME, locale), then
    `base_env`, the function's own variables and, over them, Lambda's reserved ones. `PYTHONPATH`
    is the function's code paths (task root first, then its layers) or else `code_paths`."""
    env = {key: os.environ[key] for key in _PASSED_THROUGH if key in os.environ}
    env.update(base_env)
    env.update(spec.environment)
    paths = list(spec.code_paths) or list(code_paths)
    if spec.isolated:
        # Only the function's own folders may hold the platform's packages (see worker_main);
        # the runtime itself still comes from the pool's code paths, after them.
        env[ISOLATED_ENV] = os.pathsep.join(str(path) for path in spec.code_paths)
        paths += [path for path in code_paths if path not in paths]
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    lambda_vars: dict[str, Any] = {
        "_HANDLER": spec.handler,
        "AWS_REGION": region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": spec.memory_mb,
        "AWS_LAMBDA_FUNCTION_TIMEOUT": int(spec.timeout_seconds),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": f"local/[$LATEST]{uuid.uuid4().hex}",
        "LAMBDA_TASK_ROOT": str(paths[0]) if paths else os.getcwd(),
        "MEDIALENS_FUNCTION_ARN": _function_arn(region, spec),
        "PYTHONPATH": os.pathsep.join(str(path) for path in paths),
        "PYTHONUNBUFFERED": "1",
    }
    env.update({key: str(value) for key, value in lambda_vars.items()})
    return env


def _function_arn(region: str, spec: FunctionSpec) -> str:
    # The context's invoked_function_arn: qualified when a published version runs.
    arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{spec.name}"
    return arn if spec.version == "$LATEST" else f"{arn}:{spec.version}"
