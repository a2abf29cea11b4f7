"""What a user's own Lambda function costs on the local runtime, side by side.

A handler written to a temporary folder is zipped and deployed with the Lambda API on a platform
with no functions of its own (the runtime alone). In one run this prints the median over N of:

- the warm invoke (a worker already holds the handler), through boto3 and the local endpoint;
- the first invoke after `update-function-code` (a new worker starts: Python, boto3, the handler);
- the first invoke after `update-function-configuration` (an environment change: the same);
- a warm invoke of a function with the SDK layer attached;
- `create-function` (moto stores the zip; nothing runs until the first invoke).

    .venv/bin/python bench/user_lambda_invoke.py [-n 20]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medialens.runtime.event_sources import EventSourceSpec, Invoke, PollingThread
from medialens.runtime.functions import FunctionSpec
from medialens.runtime.lambda_bridge import ensure_role
from medialens.runtime.platform import LocalPlatform
from medialens.state import Endpoints, StateDir


class _RuntimeOnly:
    bucket_name = "bench-bucket"

    def functions(self, moto_url: str, api_url: str) -> list[FunctionSpec]:
        return []

    def provision(self, session: Any) -> None:
        return None

    def event_sources(self) -> list[EventSourceSpec]:
        return []

    def api_routes(self) -> dict[str, str]:
        return {}

    def recover(self, session: Any, moto_url: str) -> str | None:
        return None

    def background_tasks(self, session: Any, invoke: Invoke) -> list[PollingThread]:
        return []

    def on_ready(self, endpoints: Endpoints, progress: Callable[[str], None]) -> None:
        return None


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def _create(lam: Any, name: str, role: str, body: str, **settings: Any) -> None:
    code = _zip(f"def handler(e, c):\n    {body}\n")
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": code},
        **settings,
    )


def _ms(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _median(samples: list[float]) -> str:
    return f"{statistics.median(samples):8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="samples per figure")
    count = parser.parse_args().n
    with tempfile.TemporaryDirectory() as folder:
        platform = LocalPlatform(StateDir(Path(folder)), _RuntimeOnly(), save_snapshot=False)
        platform.start(progress=lambda _: None)
        try:
            assert platform.session is not None
            lam = platform.session.client("lambda")
            role = ensure_role(platform.session.client("iam"))

            def invoke(name: str) -> None:
                answer = lam.invoke(FunctionName=name, Payload=b"{}")
                assert "FunctionError" not in answer, answer["Payload"].read()

            created = [
                _ms(lambda: _create(lam, f"bench-{index}", role, f"return {index}"))  # noqa: B023
                for index in range(count)
            ]
            invoke("bench-0")
            warm = [_ms(lambda: invoke("bench-0")) for _ in range(count)]
            after_code, after_config = [], []
            for index in range(count):
                lam.update_function_code(
                    FunctionName="bench-0", ZipFile=_zip(f"def handler(e, c):\n    return -{index}\n")
                )
                after_code.append(_ms(lambda: invoke("bench-0")))
                lam.update_function_configuration(
                    FunctionName="bench-0", Environment={"Variables": {"N": str(index)}}
                )
                after_config.append(_ms(lambda: invoke("bench-0")))
            sdk_body = "from MediaInsightsEngineLambdaHelper import Status\n    return Status.Complete.value"
            _create(lam, "bench-sdk", role, sdk_body, Layers=[platform.sdk_layer_arn])
            invoke("bench-sdk")
            with_layer = [_ms(lambda: invoke("bench-sdk")) for _ in range(count)]
        finally:
            platform.stop(progress=lambda _: None)
    print(f"median of {count}")
    print(f"  create-function                          {_median(created)}")
    print(f"  warm invoke                              {_median(warm)}")
    print(f"  warm invoke, SDK layer attached          {_median(with_layer)}")
    print(f"  first invoke after update-function-code  {_median(after_code)}")
    print(f"  first invoke after a configuration edit  {_median(after_config)}")


if __name__ == "__main__":
    main()
