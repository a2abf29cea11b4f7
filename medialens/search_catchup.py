"""After a crash: feed the search consumer again with the results stored since the last snapshot.

Kinesis records live only in the moto process, so the records of results stored just before a
crash may never have reached the search consumer. Every result page the journal put back is
published again as the dataplane would have published it (a `PUT` event pointing at the page);
the consumer indexes a page under a fixed document id, so pages it had already indexed are only
rewritten. Deletions are not replayed: a result deleted in the last moments before a crash can
stay in the search index until its asset or operator is deleted again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from api.dataplane.events import Action, EventPublisher, MetadataEvent
from api.dataplane.layout import ASSETS_ROOT
from medialens.durability.changes import Change, ObjectState

# private/assets/{asset_id}/workflows/{workflow_id}/{operator}/page-000001.json (api/dataplane/layout.py)
_PAGE_KEY = re.compile(rf"^{re.escape(ASSETS_ROOT)}([^/]+)/workflows/([^/]+)/([^/]+)/page-(\d{{6}})\.json$")


def republish_results(session: Any, bucket: str, stream: str, replayed: Sequence[Change]) -> int:
    """Publish a `PUT` event for each result page among `replayed`; how many were published."""
    publisher = EventPublisher(session.client("kinesis"), stream)
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    published = 0
    for change in replayed:
        if not isinstance(change, ObjectState) or change.bucket != bucket or change.body is None:
            continue
        page = _PAGE_KEY.match(change.key)
        if page is None:
            continue
        asset_id, workflow_id, operator, number = page.groups()
        publisher.publish(
            MetadataEvent(Action.PUT, asset_id, operator, workflow_id, int(number), bucket, change.key, stamp)
        )
        published += 1
    return published
