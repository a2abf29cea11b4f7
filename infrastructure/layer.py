"""The Lambda layers: the operator SDK (`lib/helper` + its pinned dependencies) and the media tools
the library's operators run (libmediainfo, ffmpeg), both bundled without Docker.

`LocalPipBundling` runs pip for the Lambda platform on this machine (`--platform manylinux_*
--only-binary=:all:`), so no container is needed. When bundling is skipped (tests set the context
`aws:cdk:bundling-stacks=[]`), CDK takes the source folder as the asset as is: synthesis needs no
network.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, ILocalBundling, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infrastructure.paths import HELPER_SOURCE, LAYER_REQUIREMENTS, MEDIA_TOOLS_REQUIREMENTS, PYTHON_JUNK
from infrastructure.python_function import RUNTIME

SDK_PACKAGES = ("medialens_helper", "MediaInsightsEngineLambdaHelper")


# The Lambda runtime's Python and every manylinux tag its glibc (2.34) accepts that our pins use:
# pip does not widen an explicit --platform to older tags by itself.
LAMBDA_PYTHON_VERSION = "3.12"
LAMBDA_PLATFORMS = (
    "manylinux_2_34_x86_64",
    "manylinux_2_28_x86_64",
    "manylinux_2_27_x86_64",
    "manylinux2014_x86_64",
)


def pip_install_command(requirements: Path, target: Path) -> list[str]:
    """pip, fetching the Lambda platform's wheels (never building), exactly the pinned set."""
    platforms = [argument for tag in LAMBDA_PLATFORMS for argument in ("--platform", tag)]
    return [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-compile", "--no-deps",  # the file pins every transitive package
        *platforms, "--implementation", "cp", "--python-version", LAMBDA_PYTHON_VERSION,
        "--only-binary=:all:", "--target", str(target), "--requirement", str(requirements),
    ]  # fmt: skip


@jsii.implements(ILocalBundling)
class LocalPipBundling:
    """Fills `<output>/python/` with the wheels pinned in `requirements` and `packages` of `source`."""

    def __init__(self, *, source: Path, requirements: Path, packages: tuple[str, ...] = ()) -> None:
        self._source = source
        self._requirements = requirements
        self._packages = packages

    def try_bundle(self, output_dir: str, *_options: Any, **_keyword_options: Any) -> bool:
        # jsii passes the (container) bundling options positionally; pip needs none of them.
        target = Path(output_dir) / "python"
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(pip_install_command(self._requirements, target), check=True)
        for package in self._packages:
            shutil.copytree(
                self._source / package,
                target / package,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        return True


def bundled_layer(
    scope: Construct,
    construct_id: str,
    *,
    source: Path,
    requirements: Path,
    packages: tuple[str, ...],
    description: str,
) -> lambda_.LayerVersion:
    bundling = BundlingOptions(
        # Only used if local bundling declined; it never does, so no Docker is needed.
        image=RUNTIME.bundling_image,
        local=LocalPipBundling(source=source, requirements=requirements, packages=packages),
    )
    return lambda_.LayerVersion(
        scope,
        construct_id,
        # Hash the bundle, so a changed pin (not only changed source) publishes a new version.
        code=lambda_.Code.from_asset(
            str(source), bundling=bundling, exclude=PYTHON_JUNK, asset_hash_type=AssetHashType.OUTPUT
        ),
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[lambda_.Architecture.X86_64],
        description=description,
        removal_policy=RemovalPolicy.DESTROY,
    )


class OperatorSdkLayer(Construct):
    """One layer every platform function and operator uses."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.layer = bundled_layer(
            self,
            "Layer",
            source=HELPER_SOURCE,
            requirements=LAYER_REQUIREMENTS,
            packages=SDK_PACKAGES,
            description="Medialens operator SDK (medialens_helper, MediaInsightsEngineLambdaHelper) and deps",
        )


class MediaToolsLayer(Construct):
    """pymediainfo (with libmediainfo) and imageio-ffmpeg (with ffmpeg): what the operators run."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.layer = bundled_layer(
            self,
            "Layer",
            source=MEDIA_TOOLS_REQUIREMENTS.parent,
            requirements=MEDIA_TOOLS_REQUIREMENTS,
            packages=(),
            description="Medialens media tools for operators: pymediainfo, imageio-ffmpeg",
        )
