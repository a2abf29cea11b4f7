"""`DataPlane`: MIE's dataplane client, over a `Transport`, with status codes checked."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from . import settings
from .errors import ConfigurationError, DataplaneError, error_for_status
from .transport import DataplaneRequest, DataplaneResponse, HttpTransport, Transport


def _segment(value: str, label: str) -> str:
    """One URL path segment; a '/' or '?' in an id must not change the route."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{label} must be a non-empty string, got {value!r}")
    return quote(value, safe="")


def transport_from_environment() -> HttpTransport:
    """An `HttpTransport` to the endpoint in DATAPLANE_API_ENDPOINT."""
    endpoint = os.environ.get(settings.DATAPLANE_API_ENDPOINT)
    if not endpoint:
        raise ConfigurationError(
            f"environment variable {settings.DATAPLANE_API_ENDPOINT} is not set: "
            "it must hold the dataplane API URL, or pass a transport to DataPlane()"
        )
    return HttpTransport(endpoint)


class DataPlane:
    """Create assets, store and read operator results, and get media locations and URLs.

    Every method returns the API's JSON answer and raises a `DataplaneError` subclass for an
    error status (`DataplaneUnavailableError`, a `TransientError`, for 5xx/429/no connection).
    """

    def __init__(self, transport: Transport | None = None) -> None:
        self._transport = transport if transport is not None else transport_from_environment()

    def _call(self, method: str, path: str, *, query: dict[str, str] | None = None, body: Any = None) -> Any:
        response = self._transport.handle(DataplaneRequest(method, path, query or {}, body))
        if not response.ok:
            raise _error_from(response, method, path)
        return response.body

    def _call_object(
        self, method: str, path: str, *, query: dict[str, str] | None = None, body: Any = None
    ) -> dict[str, Any]:
        answer = self._call(method, path, query=query, body=body)
        if answer is None:
            return {}
        if not isinstance(answer, dict):
            raise DataplaneError(
                f"{method} {path} answered {type(answer).__name__}, expected a JSON object",
                status_code=200,
                code="UnexpectedBody",
            )
        return answer

    def create_asset(
        self, s3bucket: str, s3key: str, *, media_type: str | None = None, copy: bool = True
    ) -> dict[str, Any]:
        """Create an asset from media already in S3; returns `{"AssetId", "S3Bucket", "S3Key", "MediaType"?}`.

        `media_type` is MIE's Video/Image/Audio/Text (guessed from the key when None). With
        `copy=False` the asset refers to the object where it is instead of its own copy.
        """
        source: dict[str, Any] = {"S3Bucket": s3bucket, "S3Key": s3key}
        if media_type is not None:
            source["MediaType"] = media_type
        body: dict[str, Any] = {"Input": source}
        if not copy:
            body["Copy"] = False
        return self._call_object("POST", "/create", body=body)

    def get_asset(self, asset_id: str) -> dict[str, Any]:
        """An asset's media: `{"AssetId", "S3Bucket", "S3Key", "MediaType"?, "Created"}`."""
        return self._call_object("GET", f"/asset/{_segment(asset_id, 'asset_id')}")

    def store_asset_metadata(
        self,
        asset_id: str,
        operator_name: str,
        workflow_id: str,
        results: Any,
        paginate: bool = False,
        end: bool = False,
    ) -> dict[str, Any]:
        """Store an operator's results for an asset; returns the API's answer (`Page`, `Complete`, ...).

        For results in pages, call it once per page with `paginate=True`, and `end=True` on the
        last, from any number of Lambda invocations and `DataPlane` instances: the dataplane
        appends each page after those the workflow execution already stored (as MIE's did), and
        the result becomes readable, all at once, when the last page is stored. A page after the
        last one is refused (`DataplaneConflictError`, 409) unless it repeats the last page
        exactly (a retried Lambda). MIE operators may also end a paged result with
        `paginate=False, end=True`: that is the last page too (alone, a whole result).
        """
        path = f"/metadata/{_segment(asset_id, 'asset_id')}"
        paged = paginate or end
        body = {
            "OperatorName": operator_name,
            "WorkflowId": workflow_id,
            "Results": results,
            "Paginate": paged,
            "End": end or not paged,
        }
        return self._call_object("POST", path, body=body)

    def retrieve_asset_metadata(
        self, asset_id: str, operator_name: str | None = None, cursor: str | None = None
    ) -> dict[str, Any]:
        """One page of an asset's results (of one operator if named); pass back `cursor` for the next."""
        path = f"/metadata/{_segment(asset_id, 'asset_id')}"
        if operator_name is not None:
            path += f"/{_segment(operator_name, 'operator_name')}"
        query = {"cursor": cursor} if cursor else None
        return self._call_object("GET", path, query=query)

    def generate_media_storage_path(self, asset_id: str, workflow_id: str) -> dict[str, Any]:
        """Where an operator may write derived media for this asset: `{"S3Bucket", "S3Key"}`."""
        path = f"/mediapath/{_segment(asset_id, 'asset_id')}/{_segment(workflow_id, 'workflow_id')}"
        return self._call_object("GET", path)

    def list_assets(self, limit: int | None = None, cursor: str | None = None) -> dict[str, Any]:
        """One page of asset ids, newest first; pass back `cursor` for the next."""
        query: dict[str, str] = {}
        if limit is not None:
            if limit < 1:
                raise ValueError(f"limit must be at least 1, got {limit}")
            query["limit"] = str(limit)
        if cursor:
            query["cursor"] = cursor
        return self._call_object("GET", "/metadata", query=query)

    def delete_asset(self, asset_id: str) -> dict[str, Any]:
        """Delete an asset, its media and all its results."""
        return self._call_object("DELETE", f"/metadata/{_segment(asset_id, 'asset_id')}")

    def delete_operator_metadata(self, asset_id: str, operator_name: str) -> dict[str, Any]:
        """Delete the results one operator stored for an asset."""
        path = f"/metadata/{_segment(asset_id, 'asset_id')}/{_segment(operator_name, 'operator_name')}"
        return self._call_object("DELETE", path)

    def upload_url(self, s3key: str) -> dict[str, Any]:
        """A presigned POST (`url`, `fields`) to upload media to the dataplane bucket under `s3key`."""
        return self._call_object("POST", "/upload", body={"S3Key": s3key})

    def download_url(self, s3key: str) -> dict[str, Any]:
        """A presigned URL to download the dataplane object `s3key`."""
        return self._call_object("POST", "/download", body={"S3Key": s3key})


def _error_from(response: DataplaneResponse, method: str, path: str) -> DataplaneError:
    body = response.body if isinstance(response.body, dict) else {}
    message = body.get("Message") or body.get("message")  # API Gateway's own errors use "message"
    if not message:
        message = f"{method} {path} answered {response.status_code}"
    code = body.get("Code")
    return error_for_status(response.status_code, str(message), code if isinstance(code, str) else None)
