from __future__ import annotations

from typing import Any

import pytest
from medialens_helper import (
    ConfigurationError,
    DataPlane,
    DataplaneBadRequestError,
    DataplaneConflictError,
    DataplaneError,
    DataplaneForbiddenError,
    DataplaneNotFoundError,
    DataplaneRequest,
    DataplaneResponse,
    DataplaneUnavailableError,
    HttpTransport,
    TransientError,
)


def ok(body: Any) -> DataplaneResponse:
    return DataplaneResponse(200, body)


def test_create_asset_posts_the_media_location(fake_transport: Any) -> None:
    fake_transport.answer(ok({"AssetId": "a1", "S3Bucket": "b", "S3Key": "private/assets/a1/input/v.mp4"}))

    created = DataPlane(fake_transport).create_asset("upload-bucket", "uploads/v.mp4")

    assert created == {"AssetId": "a1", "S3Bucket": "b", "S3Key": "private/assets/a1/input/v.mp4"}
    assert fake_transport.requests == [
        DataplaneRequest(
            "POST", "/create", {}, {"Input": {"S3Bucket": "upload-bucket", "S3Key": "uploads/v.mp4"}}
        )
    ]


def test_single_result_is_stored_as_page_one_and_last(fake_transport: Any) -> None:
    fake_transport.answer(ok({"Status": "Success", "Page": 1}))

    answer = DataPlane(fake_transport).store_asset_metadata("a1", "Labels", "wf1", {"Labels": ["cat"]})

    assert answer == {"Status": "Success", "Page": 1}
    assert fake_transport.last == DataplaneRequest(
        "POST",
        "/metadata/a1",
        {},
        {
            "OperatorName": "Labels",
            "WorkflowId": "wf1",
            "Results": {"Labels": ["cat"]},
            "Paginate": False,
            "End": True,
        },
    )


def pages_sent(transport: Any) -> list[tuple[bool, bool, bool]]:
    return [("Page" in r.body, r.body["Paginate"], r.body["End"]) for r in transport.requests]


def test_paginated_results_send_no_page_number_so_the_dataplane_appends(fake_transport: Any) -> None:
    # Pages come from several Lambda invocations, each with its own DataPlane(): only the
    # dataplane knows how many pages a workflow execution stored so far.
    for results in ("p1", "p2"):
        DataPlane(fake_transport).store_asset_metadata("a1", "Labels", "wf1", results, paginate=True)
    DataPlane(fake_transport).store_asset_metadata("a1", "Labels", "wf1", "p3", paginate=True, end=True)

    assert pages_sent(fake_transport) == [(False, True, False), (False, True, False), (False, True, True)]
    assert [r.body["Results"] for r in fake_transport.requests] == ["p1", "p2", "p3"]


def test_mie_style_end_without_paginate_is_the_last_page(fake_transport: Any) -> None:
    dataplane = DataPlane(fake_transport)
    dataplane.store_asset_metadata("a1", "Labels", "wf1", "p1", paginate=True)
    dataplane.store_asset_metadata("a1", "Labels", "wf1", "p2", end=True)

    assert pages_sent(fake_transport) == [(False, True, False), (False, True, True)]


def test_a_failed_page_is_sent_again_unchanged(fake_transport: Any) -> None:
    dataplane = DataPlane(fake_transport)
    fake_transport.answer(ok({}), DataplaneResponse(503, {"Message": "slow down"}), ok({}))
    dataplane.store_asset_metadata("a1", "Labels", "wf1", "p1", paginate=True)
    with pytest.raises(DataplaneUnavailableError):
        dataplane.store_asset_metadata("a1", "Labels", "wf1", "p2", paginate=True)
    dataplane.store_asset_metadata("a1", "Labels", "wf1", "p2", paginate=True)

    assert fake_transport.requests[1].body == fake_transport.requests[2].body


def test_retrieve_metadata_reads_an_asset_or_one_operator_and_follows_cursors(fake_transport: Any) -> None:
    fake_transport.answer(
        ok({"asset_id": "a1", "operator": "Labels", "page": 1, "results": ["p1"], "cursor": "c-2"}),
        ok({"asset_id": "a1", "operator": "Labels", "page": 2, "results": ["p2"]}),
        ok({"asset_id": "a1", "results": {}}),
    )
    dataplane = DataPlane(fake_transport)

    response = dataplane.retrieve_asset_metadata("a1", "Labels")
    pages = [response["results"]]
    while "cursor" in response:
        response = dataplane.retrieve_asset_metadata("a1", "Labels", cursor=response["cursor"])
        pages.append(response["results"])
    dataplane.retrieve_asset_metadata("a1")

    assert pages == [["p1"], ["p2"]]
    assert fake_transport.requests == [
        DataplaneRequest("GET", "/metadata/a1/Labels"),
        DataplaneRequest("GET", "/metadata/a1/Labels", {"cursor": "c-2"}),
        DataplaneRequest("GET", "/metadata/a1"),
    ]


def test_other_routes_have_mie_shapes(fake_transport: Any) -> None:
    dataplane = DataPlane(fake_transport)
    dataplane.generate_media_storage_path("a1", "wf1")
    dataplane.list_assets()
    dataplane.list_assets(limit=10, cursor="next")
    dataplane.delete_asset("a1")
    dataplane.delete_operator_metadata("a1", "Labels")
    dataplane.upload_url("uploads/v.mp4")
    dataplane.download_url("private/assets/a1/input/v.mp4")

    assert fake_transport.requests == [
        DataplaneRequest("GET", "/mediapath/a1/wf1"),
        DataplaneRequest("GET", "/metadata"),
        DataplaneRequest("GET", "/metadata", {"limit": "10", "cursor": "next"}),
        DataplaneRequest("DELETE", "/metadata/a1"),
        DataplaneRequest("DELETE", "/metadata/a1/Labels"),
        DataplaneRequest("POST", "/upload", {}, {"S3Key": "uploads/v.mp4"}),
        DataplaneRequest("POST", "/download", {}, {"S3Key": "private/assets/a1/input/v.mp4"}),
    ]


def test_path_parts_are_quoted_so_they_cannot_change_the_route(fake_transport: Any) -> None:
    dataplane = DataPlane(fake_transport)
    dataplane.retrieve_asset_metadata("a/../b", "Op Name?x=1")
    dataplane.generate_media_storage_path("a1", "wf#1")
    assert [r.path for r in fake_transport.requests] == [
        "/metadata/a%2F..%2Fb/Op%20Name%3Fx%3D1",
        "/mediapath/a1/wf%231",
    ]


def test_empty_ids_and_bad_limits_are_refused_before_sending(fake_transport: Any) -> None:
    dataplane = DataPlane(fake_transport)
    with pytest.raises(ValueError, match="asset_id"):
        dataplane.retrieve_asset_metadata("")
    with pytest.raises(ValueError, match="limit"):
        dataplane.list_assets(limit=0)
    assert fake_transport.requests == []


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, DataplaneBadRequestError),
        (403, DataplaneForbiddenError),
        (404, DataplaneNotFoundError),
        (409, DataplaneConflictError),
        (429, DataplaneUnavailableError),
        (500, DataplaneUnavailableError),
        (503, DataplaneUnavailableError),
        (418, DataplaneError),
    ],
)
def test_error_statuses_raise_typed_errors_with_the_api_message(
    fake_transport: Any, status: int, kind: type[DataplaneError]
) -> None:
    fake_transport.answer(DataplaneResponse(status, {"Message": "asset a1 is gone", "Code": "AssetNotFound"}))

    with pytest.raises(kind) as caught:
        DataPlane(fake_transport).retrieve_asset_metadata("a1")

    assert type(caught.value) is kind
    assert str(caught.value) == "asset a1 is gone"
    assert caught.value.status_code == status
    assert caught.value.code == "AssetNotFound"
    assert isinstance(caught.value, TransientError) == (status in (429, 500, 503))


def test_error_without_a_json_message_still_says_what_failed(fake_transport: Any) -> None:
    fake_transport.answer(
        DataplaneResponse(502, "Bad Gateway"), DataplaneResponse(403, {"message": "Forbidden"})
    )
    dataplane = DataPlane(fake_transport)
    with pytest.raises(DataplaneUnavailableError, match="GET /metadata/a1 answered 502"):
        dataplane.retrieve_asset_metadata("a1")
    # API Gateway's own errors use a lower-case "message".
    with pytest.raises(DataplaneForbiddenError, match=r"^Forbidden$"):
        dataplane.retrieve_asset_metadata("a1")


def test_connection_errors_from_the_transport_reach_the_caller(fake_transport: Any) -> None:
    failure = DataplaneUnavailableError("cannot reach the dataplane", status_code=0, code="ConnectionError")
    fake_transport.answer(failure)
    with pytest.raises(DataplaneUnavailableError) as caught:
        DataPlane(fake_transport).create_asset("b", "k")
    assert caught.value is failure


def test_an_answer_that_is_not_an_object_is_an_error(fake_transport: Any) -> None:
    fake_transport.answer(ok(["not", "an", "object"]))
    with pytest.raises(DataplaneError, match="expected a JSON object"):
        DataPlane(fake_transport).create_asset("b", "k")


def test_without_a_transport_the_endpoint_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, aws_env: None
) -> None:
    monkeypatch.delenv("DATAPLANE_API_ENDPOINT", raising=False)
    with pytest.raises(ConfigurationError, match="DATAPLANE_API_ENDPOINT"):
        DataPlane()

    monkeypatch.setenv("DATAPLANE_API_ENDPOINT", "https://abc.execute-api.eu-west-1.amazonaws.com/api/")
    transport = DataPlane()._transport
    assert isinstance(transport, HttpTransport)
    assert transport.endpoint == "https://abc.execute-api.eu-west-1.amazonaws.com/api"
    transport.close()
