"""User functions and layers kept across a clean stop and start of the local platform.

moto holds Lambda state in memory only. At stop, `save` writes every function a user created
(each published version and `$LATEST`: code and configuration, and the aliases) and every layer
version a user published to `<state>/lambda/store/`; at the next start `restore` re-creates them
through the Lambda API in the same order, so version numbers, alias targets and layer version
ARNs come out as before. The platform's own functions and its SDK layer are left out: the
platform makes them at every start. Layout: `manifest.json` plus `blobs/<sha256>.zip`; a new
store is written beside the old one and swapped in, so a crash while saving keeps the previous one.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.awslambda.utils import get_backend

from medialens.runtime.function_logs import ACCOUNT_ID
from medialens.runtime.lambda_bridge import ensure_role

_CONFIG_FIELDS = ("Runtime", "Role", "Handler", "Description", "Timeout", "MemorySize")


def save(
    region: str, store: Path, *, skip_functions: Collection[str], skip_layers: Collection[str]
) -> dict[str, int]:
    """Write the user functions and layers moto holds; returns {"functions": n, "layers": n}."""
    backend = get_backend(ACCOUNT_ID, region)
    staging = store.with_name(store.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "blobs").mkdir(parents=True)
    layers = []
    for summary in backend.list_layers():
        if summary["LayerName"] in skip_layers:
            continue
        for layer in backend.list_layer_versions(summary["LayerName"]):
            layers.append(
                {
                    "LayerName": layer.name,
                    "Version": int(layer.version),
                    "Description": layer.description,
                    "CompatibleRuntimes": list(layer.compatible_runtimes),
                    "LicenseInfo": layer.license_info,
                    "Blob": _write_blob(staging, layer.code_bytes),
                }
            )
    functions = []
    for latest in backend.list_functions():
        name = latest.function_name
        if name in skip_functions:
            continue
        versions = [fn for fn in backend.list_versions_by_function(name) if str(fn.version) != "$LATEST"]
        aliases = [
            {"Name": a.name, "FunctionVersion": a.function_version, "Description": a.description}
            for a in backend.list_aliases(name)
        ]
        functions.append(
            {
                "FunctionName": name,
                "Versions": [_version_record(staging, fn) for fn in versions],
                "Latest": _version_record(staging, latest),
                "Aliases": aliases,
            }
        )
    manifest = {"layers": layers, "functions": functions}
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1))
    _swap_in(staging, store)
    return {"functions": len(functions), "layers": len(layers)}


def restore(lambda_client: Any, iam_client: Any, store: Path) -> dict[str, int]:
    """Re-create what `save` wrote; returns {"functions": n, "layers": n}."""
    manifest_path = store / "manifest.json"
    if not manifest_path.exists():
        return {"functions": 0, "layers": 0}
    manifest = json.loads(manifest_path.read_text())
    for layer in sorted(manifest["layers"], key=lambda item: (item["LayerName"], item["Version"])):
        _restore_layer(lambda_client, store, layer)
    for function in manifest["functions"]:
        _restore_function(lambda_client, iam_client, store, function)
    return {"functions": len(manifest["functions"]), "layers": len(manifest["layers"])}


def _version_record(staging: Path, function: LambdaFunction) -> dict[str, Any]:
    config = function.get_configuration()
    record = {field: config.get(field) for field in _CONFIG_FIELDS if config.get(field) is not None}
    record["Environment"] = {"Variables": dict(function.environment_vars or {})}
    record["Layers"] = [layer["Arn"] for layer in function.layers]
    record["Version"] = str(function.version)
    record["Blob"] = _write_blob(staging, function.code_bytes)
    return record


def _write_blob(staging: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    path = staging / "blobs" / f"{digest}.zip"
    if not path.exists():
        path.write_bytes(data)
    return digest


def _read_blob(store: Path, digest: str) -> bytes:
    return (store / "blobs" / f"{digest}.zip").read_bytes()


def _swap_in(staging: Path, store: Path) -> None:
    old = store.with_name(store.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if store.exists():
        store.rename(old)
    staging.rename(store)
    shutil.rmtree(old, ignore_errors=True)


def _empty_zip() -> bytes:
    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    return buffer.getvalue()


def _restore_layer(lambda_client: Any, store: Path, layer: dict[str, Any]) -> None:
    # Layer versions are numbered by the layer; a deleted one leaves a gap that a published and
    # deleted placeholder keeps, so the saved version keeps its number (and its ARN).
    while True:
        published = lambda_client.publish_layer_version(
            LayerName=layer["LayerName"],
            Description=layer.get("Description", ""),
            Content={"ZipFile": _read_blob(store, layer["Blob"])},
            CompatibleRuntimes=layer.get("CompatibleRuntimes") or [],
            LicenseInfo=layer.get("LicenseInfo") or "",
        )
        if int(published["Version"]) >= int(layer["Version"]):
            return
        lambda_client.delete_layer_version(LayerName=layer["LayerName"], VersionNumber=published["Version"])


def _restore_function(lambda_client: Any, iam_client: Any, store: Path, function: dict[str, Any]) -> None:
    name = function["FunctionName"]
    records = [*function["Versions"], function["Latest"]]
    for index, record in enumerate(records):
        _ensure_role_of(iam_client, str(record.get("Role", "")))
        settings = {key: record[key] for key in (*_CONFIG_FIELDS, "Environment", "Layers") if key in record}
        code = _read_blob(store, record["Blob"])
        if index == 0:
            lambda_client.create_function(FunctionName=name, Code={"ZipFile": code}, **settings)
        else:
            lambda_client.update_function_code(FunctionName=name, ZipFile=code)
            lambda_client.update_function_configuration(FunctionName=name, **settings)
        if record["Version"] != "$LATEST":
            lambda_client.publish_version(FunctionName=name)
    for alias in function["Aliases"]:
        lambda_client.create_alias(
            FunctionName=name,
            Name=alias["Name"],
            FunctionVersion=alias["FunctionVersion"],
            Description=alias.get("Description") or "",
        )


def _ensure_role_of(iam_client: Any, role_arn: str) -> None:
    # IAM is not kept across a restart; Lambda's create-function needs the role to exist.
    _, _, path_and_name = role_arn.partition(":role/")
    if path_and_name:
        ensure_role(iam_client, path_and_name.rsplit("/", 1)[-1])
