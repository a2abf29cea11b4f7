"""Results stored on the local platform reach its search index through the dataplane stream."""

from __future__ import annotations

import uuid

import pytest
from medialens_helper import DataPlane

from api.search.sqlite_index import SqliteSearchIndex
from tests.local.cli.cli_process import cli
from tests.local.workflows.platform_client import RunningPlatform
from tests.support.waiting import wait_until


@pytest.fixture
def dataplane(running: RunningPlatform) -> DataPlane:
    return running.dataplane()


def test_stored_results_become_searchable_and_deleted_ones_disappear(
    running: RunningPlatform, dataplane: DataPlane
) -> None:
    media = running.upload()["Video"]
    asset = dataplane.create_asset(media["S3Bucket"], media["S3Key"])["AssetId"]
    word = f"okapi{uuid.uuid4().hex[:8]}"  # unique to this test
    index = SqliteSearchIndex(running.platform.state.search_index)

    dataplane.store_asset_metadata(asset, "Labels", "wf-local", {"Labels": [{"Name": word}]})

    wait_until(lambda: index.path.exists() and len(index.search(word)) == 1, timeout=30)
    [hit] = index.search(word)
    assert (hit.asset_id, hit.operator, hit.page) == (asset, "Labels", 1)

    found = cli(running.platform.state.root, "search", word, "--operator", "Labels")
    assert found.returncode == 0, found.stderr
    assert asset in found.stdout and "Labels" in found.stdout
    # What users type: the asset id alone, a key:value filter, a file name.
    for query in (asset, f"asset:{asset}", "operator:Labels", f"Name:{word}", f"{word}*"):
        typed = cli(running.platform.state.root, "search", query)
        assert typed.returncode == 0, (query, typed.stderr)
        assert asset in typed.stdout, query

    dataplane.delete_operator_metadata(asset, "Labels")
    wait_until(lambda: index.search(word) == [], timeout=30)


def test_search_cli_says_what_is_wrong_in_one_line(
    running: RunningPlatform, tmp_path_factory: pytest.TempPathFactory
) -> None:
    empty_home = tmp_path_factory.mktemp("no-platform")
    missing = cli(empty_home, "search", "anything")
    assert missing.returncode == 1
    assert missing.stderr.strip().startswith("medialens: no search index yet at")

    for query in ('"unbalanced', "OR", "(a", "..."):
        malformed = cli(running.platform.state.root, "search", query)
        assert malformed.returncode == 1, query
        assert len(malformed.stderr.strip().splitlines()) == 1, malformed.stderr
        assert "cannot search for" in malformed.stderr and "write words" in malformed.stderr
        assert "sqlite" not in malformed.stderr.lower() and "fts5" not in malformed.stderr
    for query in ("test_image.jpg", "upload/test_image.jpg", "-x", "key:value"):
        typed = cli(running.platform.state.root, "search", query)
        assert typed.returncode == 0, (query, typed.stderr)
