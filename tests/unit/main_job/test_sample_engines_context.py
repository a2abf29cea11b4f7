"""The CDK context `sampleEngines`: where the deployer runs the sample engines, checked at synthesis."""

from __future__ import annotations

import pytest

from infrastructure.sample_engines import SampleEnginesContextError, engine_urls


def test_an_object_or_its_json_text_gives_each_engine_its_base_url() -> None:
    expected = {"faces": "https://faces.example", "text": "http://10.0.0.5:8080"}
    assert engine_urls({"faces": "https://faces.example/", "text": "http://10.0.0.5:8080"}) == expected
    assert engine_urls('{"faces": "https://faces.example/", "text": "http://10.0.0.5:8080"}') == expected
    assert engine_urls(None) == {} and engine_urls("") == {}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{not json", "sampleEngines is not JSON"),
        ('["faces"]', "must map engine names to URLs"),
        ({"lipreading": "https://x.example"}, "names no sample engine lipreading; they are: faces"),
        (
            {"faces": "ftp://faces.example"},
            "sampleEngines.faces: ftp://faces.example is not an http(s) base URL",
        ),
        ({"faces": "https:///path"}, "is not an http(s) base URL"),
        ({"faces": "https://faces.example/?token=1"}, "is not an http(s) base URL"),
    ],
)
def test_a_bad_context_stops_synthesis_saying_what_is_wrong(value: object, message: str) -> None:
    with pytest.raises(
        SampleEnginesContextError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")
    ):
        engine_urls(value)
