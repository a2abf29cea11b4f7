"""The platform's operator SDK as a Lambda layer on the local endpoint, as the stack deploys it.

On AWS the SDK (`lib/helper`: `medialens_helper` and `MediaInsightsEngineLambdaHelper`) reaches a
function only through the layer the stack publishes; a user attaches its ARN to their own function.
Locally the same layer is published at every start, with the same Lambda layout (`python/<package>`),
so `aws lambda list-layers` shows it and a user's function with it attached imports
`from MediaInsightsEngineLambdaHelper import ...`, and one without it cannot. Its third-party
dependencies are the platform's Python environment, which every local function runs on.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from medialens.runtime.functions import PYTHON_RUNTIMES

SDK_LAYER_NAME = "medialens-sdk"
SDK_PACKAGES = ("medialens_helper", "MediaInsightsEngineLambdaHelper")  # as infrastructure/layer.py
HELPER_ROOT = Path(__file__).resolve().parents[2] / "lib" / "helper"
_DESCRIPTION = "Medialens operator SDK (medialens_helper, MediaInsightsEngineLambdaHelper)"


def sdk_layer_zip(helper_root: Path = HELPER_ROOT) -> bytes:
    """The layer's content: each SDK package's Python files under `python/`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for package in SDK_PACKAGES:
            for source in sorted((helper_root / package).rglob("*.py")):
                archive.write(source, f"python/{source.relative_to(helper_root).as_posix()}")
    return buffer.getvalue()


def publish_sdk_layer(lambda_client: Any, helper_root: Path = HELPER_ROOT) -> str:
    """Publish the SDK layer; returns its layer version ARN (what a user puts in `--layers`)."""
    published = lambda_client.publish_layer_version(
        LayerName=SDK_LAYER_NAME,
        Description=_DESCRIPTION,
        Content={"ZipFile": sdk_layer_zip(helper_root)},
        CompatibleRuntimes=list(PYTHON_RUNTIMES),
    )
    return str(published["LayerVersionArn"])
