"""Both APIs, on the real local platform, answer generated requests as their documents say.

Schemathesis generates requests for every operation of docs/workflow-openapi.json and
docs/dataplane-openapi.json (valid and invalid by the document), signs them with SigV4 and checks
each answer (see tests.support.api_fuzz.CHECKS). The generation is derandomized, so the suite
sends the same cases every run; `make fuzz` (bench/api_fuzz.py) runs many more, at random.
"""

from __future__ import annotations

import pytest

from tests.local.workflows.platform_client import RunningPlatform
from tests.support.api_fuzz import SigV4RequestAuth, fuzz_operation, operation_labels

# One worker runs the package under `make test` (xdist --dist loadgroup), so one platform serves it.
pytestmark = [pytest.mark.local, pytest.mark.xdist_group("local-fuzz")]

CASES_PER_OPERATION = 16
OPERATIONS = [(api, label) for api in ("workflow", "dataplane") for label in operation_labels(api)]


@pytest.mark.parametrize(("api", "label"), OPERATIONS, ids=[f"{api}:{label}" for api, label in OPERATIONS])
def test_operation_answers_as_documented(running: RunningPlatform, api: str, label: str) -> None:
    base_url = {"workflow": running.endpoints.workflow_api, "dataplane": running.endpoints.dataplane_api}[api]
    auth = SigV4RequestAuth(running.platform.state.credentials())
    outcome = fuzz_operation(
        api, label, base_url=base_url, auth=auth, cases=CASES_PER_OPERATION, derandomize=True
    )
    assert outcome.failure is None, outcome.failure
    assert outcome.cases >= 1
