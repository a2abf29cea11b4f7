"""The workflow API's dataplane client is built once per container and endpoint, as AWS clients are."""

from __future__ import annotations

import pytest
from medialens_helper import settings
from medialens_helper.errors import ConfigurationError

from api.workflow.routes import executions


def test_one_client_per_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv(settings.DATAPLANE_API_ENDPOINT, "http://127.0.0.1:1/dataplane-api")
    first = executions.dataplane_factory()
    assert executions.dataplane_factory() is first
    monkeypatch.setenv(settings.DATAPLANE_API_ENDPOINT, "http://127.0.0.1:2/dataplane-api")
    assert executions.dataplane_factory() is not first


def test_no_endpoint_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.DATAPLANE_API_ENDPOINT, raising=False)
    with pytest.raises(ConfigurationError, match=settings.DATAPLANE_API_ENDPOINT):
        executions.dataplane_factory()
