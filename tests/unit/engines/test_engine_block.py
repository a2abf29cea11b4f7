"""The Engine block: defaults from the toolkit, manifest quirks accepted, contradictions refused."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from api.engines.models import EngineBlock, EngineManifest
from api.engines.plan import batches, lanes, threads
from api.workflow.models import Operation, OperationType


def block(**extra: Any) -> dict[str, Any]:
    manifest = {"engineMode": "chunk", "supportedInputFormats": ["image/jpeg"], **extra.pop("manifest", {})}
    return {
        "ProcessUrl": "http://e:8080/process",
        "ReadyUrl": "http://e:8080/ready",
        "Manifest": manifest,
        **extra,
    }


def test_defaults_are_the_toolkit_s() -> None:
    engine = EngineBlock.model_validate(block())
    assert (engine.Retry.MaxAttempts, engine.Retry.backoff_seconds(1), engine.Retry.backoff_seconds(2)) == (
        3,
        0.1,
        0.2,
    )
    assert engine.ReadyTimeoutSeconds == 60
    assert engine.Validation.Mode == "warn"
    assert engine.effective_concurrency() == 1


@pytest.mark.parametrize("spelling", ["initialConcurrency", "intialConcurrency"])
def test_both_spellings_of_initial_concurrency_are_accepted(spelling: str) -> None:
    engine = EngineBlock.model_validate(block(manifest={spelling: 6, "maxConcurrency": 4, "category": "x"}))
    assert engine.effective_concurrency() == 4  # never above maxConcurrency
    assert engine.model_dump()["Manifest"]["category"] == "x"  # unknown manifest fields are kept


def test_concurrency_above_the_manifest_maximum_is_refused() -> None:
    with pytest.raises(ValidationError, match="exceeds the manifest's maxConcurrency 2"):
        EngineBlock.model_validate(block(Concurrency=3, manifest={"maxConcurrency": 2}))


def test_an_engine_operation_takes_its_type_from_the_engine_mode() -> None:
    configuration = {"MediaType": "Video", "Enabled": True}
    chunk = Operation.model_validate({"Name": "E", "Configuration": configuration, "Engine": block()})
    assert chunk.Type is OperationType.SYNC and chunk.StartLambdaArn is None
    stream = {**block(), "Manifest": {"engineMode": "stream", "supportedInputFormats": ["video/mp4"]}}
    assert (
        Operation.model_validate({"Name": "S", "Configuration": configuration, "Engine": stream}).Type
        == "Async"
    )
    with pytest.raises(ValidationError, match="Type must be Sync for a chunk engine"):
        Operation.model_validate(
            {"Name": "E", "Type": "Async", "Configuration": configuration, "Engine": block()}
        )


def test_work_is_spread_within_the_concurrency_and_an_hour_fits_in_few_items() -> None:
    for concurrency in (1, 4, 8, 9, 50, 100):
        assert lanes(concurrency) * threads(concurrency) <= concurrency
    items = batches(3600, 1)
    assert len(items) == 36 and sum(item["Count"] for item in items) == 3600
    assert [item["First"] for item in items[:2]] == [0, 100]
    assert len(batches(5, 50)) == 5  # one item per lane at most as many as chunks


@pytest.mark.parametrize("formats", [["*/*"], ["image/*", "video/mp4"], ["application/vnd.ms-excel"]])
def test_wildcard_and_plain_formats_are_accepted(formats: list[str]) -> None:
    manifest = EngineManifest.model_validate({"engineMode": "chunk", "supportedInputFormats": formats})
    assert manifest.supports(formats[0].replace("*", "png", 1).replace("*", "x", 1))


@pytest.mark.parametrize("bad", ["*/png", "image/jp*g", "image", "image/"])
def test_a_malformed_format_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="supportedInputFormats"):
        EngineManifest.model_validate({"engineMode": "chunk", "supportedInputFormats": [bad]})
