"""The operator's input media and its transfer to and from S3, with S3 errors classified."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError
from medialens_helper import MediaInsightsOperationHelper, TransientError

from operators.common.failures import OperatorError

# Error codes that may pass on a retry; any other S3 error is a property of the input.
_TRANSIENT_CODES = frozenset(
    {"SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "InternalError", "ServiceUnavailable"}
)
_MISSING_CODES = frozenset({"404", "NoSuchKey", "NoSuchBucket", "NotFound"})


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def input_media(helper: MediaInsightsOperationHelper, media_type: str) -> S3Location:
    """Where the input media of `media_type` is; an `OperatorError` if the input has none."""
    media = helper.input.get("Media")
    locator = media.get(media_type) if isinstance(media, dict) else None
    if not isinstance(locator, dict):
        raise OperatorError(f"the input has no {media_type} media")
    bucket, key = locator.get("S3Bucket"), locator.get("S3Key")
    if not isinstance(bucket, str) or not bucket or not isinstance(key, str) or not key:
        raise OperatorError(f"the input {media_type} media lacks S3Bucket or S3Key")
    return S3Location(bucket, key)


@contextmanager
def s3_errors(action: str) -> Iterator[None]:
    """S3 errors as `TransientError` (retry may help) or `OperatorError` (it will not)."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _TRANSIENT_CODES or status >= 500:
            raise TransientError(f"S3 was unavailable to {action}: {code}") from exc
        if code in _MISSING_CODES:
            raise OperatorError(f"cannot {action}: it does not exist") from exc
        raise OperatorError(f"cannot {action}: S3 answered {code or status}") from exc
    except (ConnectionError, HTTPClientError) as exc:
        raise TransientError(f"cannot reach S3 to {action}: {exc}") from exc
    except BotoCoreError as exc:
        raise OperatorError(f"cannot {action}: {exc}") from exc


def download(s3: Any, source: S3Location, directory: Path) -> Path:
    """`source` copied into `directory` (which the caller deletes), keeping its file extension."""
    target = directory / f"input{Path(source.key).suffix[:16]}"
    with s3_errors(f"download {source.uri}"):
        s3.download_file(source.bucket, source.key, str(target))
    return target


def upload(s3: Any, path: Path, target: S3Location, content_type: str) -> None:
    with s3_errors(f"upload {target.uri}"):
        s3.upload_file(str(path), target.bucket, target.key, ExtraArgs={"ContentType": content_type})
