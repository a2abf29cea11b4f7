"""Check AWS Signature Version 4 on an incoming request, as API Gateway's AWS_IAM auth does.

The signature is recomputed with botocore's own signer (header canonicalisation, string to sign,
key derivation), so whatever botocore or awscurl signs for AWS is accepted here too.

Two clients canonicalise a little differently, and both are accepted:
- path: botocore removes dot segments and keeps "~"; awscurl quotes the path as sent. Both encode
  the already-encoded path a second time, as SigV4 requires for every service but S3.
- query: botocore sorts the pairs as sent; the SigV4 rules decode and re-encode them strictly.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials
from botocore.utils import normalize_url_path
from werkzeug import Request

from medialens.state import LocalCredentials

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "execute-api"
MAX_SKEW = timedelta(minutes=15)
LOCAL_ACCOUNT = "123456789012"
_TIMESTAMP = "%Y%m%dT%H%M%SZ"
_AUTH_PART = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]+)")


class SignatureError(Exception):
    """The request is not signed by a key we know; `reason` is the message API Gateway would give."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Caller:
    access_key_id: str
    user_arn: str


def verify_request(
    request: Request, credentials: LocalCredentials, *, now: datetime | None = None, service: str = SERVICE
) -> Caller:
    """Return the caller of a correctly signed request for `service`; raise SignatureError otherwise."""
    header = request.headers.get("Authorization")
    if not header:
        raise SignatureError("Missing Authentication Token")
    if not header.startswith(ALGORITHM + " "):
        raise SignatureError(f"Authorization header requires the {ALGORITHM} algorithm.")
    parts = dict(_AUTH_PART.findall(header))
    if set(parts) != {"Credential", "SignedHeaders", "Signature"}:
        raise SignatureError("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.")
    scope = parts["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise SignatureError("Credential is malformed.")
    access_key, date, region = scope[:3]
    if not hmac.compare_digest(access_key, credentials.access_key_id):
        raise SignatureError("The security token included in the request is invalid.")
    if region != credentials.region:
        raise SignatureError(f"Credential should be scoped to a valid region, not '{region}'.")
    if scope[3] != service:
        raise SignatureError(f"Credential should be scoped to correct service: '{service}'.")
    amz_date = _checked_timestamp(request, date, now or datetime.now(UTC))
    signed = parts["SignedHeaders"].split(";")
    if "host" not in signed:
        raise SignatureError("'Host' must be a signed header.")
    payload_hash = _payload_hash(request)

    signer = SigV4Auth(Credentials(access_key, credentials.secret_access_key), service, region)
    context = AWSRequest(method=request.method, url=request.url)
    context.context["timestamp"] = amz_date
    headers = HTTPHeaders()
    for name in signed:
        values = request.headers.getlist(name)
        if not values:
            raise SignatureError(f"Signed header '{name}' is missing from the request.")
        for value in values:
            headers[name] = value
    canonical_headers = signer.canonical_headers(headers) + "\n"
    expected = parts["Signature"]
    for path in _canonical_paths(request):
        for query in _canonical_queries(request):
            canonical = "\n".join(
                [request.method.upper(), path, query, canonical_headers, ";".join(signed), payload_hash]
            )
            signature = signer.signature(signer.string_to_sign(context, canonical), context)
            if hmac.compare_digest(signature, expected):
                return Caller(access_key, f"arn:aws:iam::{LOCAL_ACCOUNT}:user/{access_key}")
    raise SignatureError(
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method."
    )


def _checked_timestamp(request: Request, date: str, now: datetime) -> str:
    amz_date = request.headers.get("X-Amz-Date", "")
    try:
        stamp = datetime.strptime(amz_date, _TIMESTAMP).replace(tzinfo=UTC)
    except ValueError:
        raise SignatureError(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        ) from None
    if amz_date[:8] != date:
        raise SignatureError("Credential date does not match the X-Amz-Date header.")
    if stamp < now - MAX_SKEW:
        limit = (now - MAX_SKEW).strftime(_TIMESTAMP)
        raise SignatureError(f"Signature expired: {amz_date} is now earlier than {limit}.")
    if stamp > now + MAX_SKEW:
        limit = (now + MAX_SKEW).strftime(_TIMESTAMP)
        raise SignatureError(f"Signature not yet current: {amz_date} is still later than {limit}.")
    return amz_date


def _payload_hash(request: Request) -> str:
    actual = hashlib.sha256(request.get_data(cache=True)).hexdigest()
    claimed = request.headers.get("X-Amz-Content-SHA256")
    if claimed is not None and claimed != actual:
        raise SignatureError("The provided x-amz-content-sha256 header does not match what was computed.")
    return actual


def raw_path(request: Request) -> str:
    # The path exactly as sent (still percent-encoded); werkzeug's request.path is decoded.
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if not raw:
        return quote(request.path)
    path = raw.split("?", 1)[0]
    if "://" in path:  # absolute-form request target
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    return path or "/"


def _canonical_paths(request: Request) -> list[str]:
    raw = raw_path(request)
    return list(dict.fromkeys([quote(normalize_url_path(raw), safe="/~"), quote(raw, safe="/~")]))


def _canonical_queries(request: Request) -> list[str]:
    raw = request.query_string.decode("latin-1")
    as_sent = "&".join(
        f"{k}={v}" for k, _, v in sorted(pair.partition("=") for pair in raw.split("&") if pair)
    )
    decoded = parse_qsl(raw, keep_blank_values=True)
    strict = "&".join(
        f"{k}={v}" for k, v in sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in decoded)
    )
    return list(dict.fromkeys([strict, as_sent]))
