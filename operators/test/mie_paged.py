# TestMiePaged: an async operator that stores a paged result the way MIE's Rekognition operators
# do: page 1 from the start Lambda, page 2 from the first monitor call, the last page (end=True)
# from the second, each through a new DataPlane() and without page numbers.
from __future__ import annotations

from typing import Any

from MediaInsightsEngineLambdaHelper import DataPlane, MediaInsightsOperationHelper

OPERATOR = "TestMiePaged"
PAGES = 3
PAGE_KEY = "PagesStored"


def _store_next_page(event: dict[str, Any]) -> dict[str, Any]:
    helper = MediaInsightsOperationHelper(event)
    stored = int(helper.metadata.get(PAGE_KEY, "0"))
    page = stored + 1
    last = page == PAGES
    DataPlane().store_asset_metadata(
        helper.asset_id, OPERATOR, helper.workflow_execution_id, {"Page": page}, paginate=True, end=last
    )
    helper.add_workflow_metadata(**{PAGE_KEY: str(page)})
    helper.update_workflow_status("Complete" if last else "Executing")
    return helper.return_output_object()


def start(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _store_next_page(event)


def monitor(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _store_next_page(event)
