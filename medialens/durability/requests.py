"""Which AWS requests change durable state, and what each one touches.

`touched(request)` names the resources a request may change (S3 objects, DynamoDB items, a state
machine), or None for a request that changes nothing kept (reads, Lambda, SQS, Kinesis, ...).
Only S3 objects, DynamoDB items and Step Functions state machines are kept, as in the snapshot.

S3 requests are path-style (what SDKs send to an IP endpoint). Not journaled: the parts of a
multipart upload before `CompleteMultipartUpload` (an unfinished upload does not survive a crash,
as one aborted), bucket-level settings, PartiQL statements.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from werkzeug.formparser import parse_form_data

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/aws4_request")
_DELETE_KEY = re.compile(rb"<Key>(.*?)</Key>", re.DOTALL)
_DYNAMODB_TARGET = "DynamoDB_20120810."
_STATES_TARGET = "AWSStepFunctions."
_STATE_MACHINE_WRITES = {"CreateStateMachine", "UpdateStateMachine", "DeleteStateMachine"}


@dataclass(frozen=True)
class Scope:
    """Who signed the request: access key, region and signing service (from SigV4)."""

    access_key: str
    region: str
    service: str


@dataclass
class Touched:
    scope: Scope
    objects: list[tuple[str, str]] = field(default_factory=list)  # (bucket, key)
    items: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (table, key or whole item)
    state_machine: str | None = None  # ARN; "" = read it from the response (CreateStateMachine)


def scope_of(environ: dict[str, Any]) -> Scope | None:
    found = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if found:
        return Scope(*found.groups())
    query = parse_qs(environ.get("QUERY_STRING", ""))
    credential = query.get("X-Amz-Credential", [""])[0]  # a presigned URL
    parts = credential.split("/")
    if len(parts) == 5:
        return Scope(parts[0], parts[2], parts[3])
    return None


def needs_body(environ: dict[str, Any]) -> bool:
    """True when `touched` must see the request body (JSON APIs, multi-delete, form uploads)."""
    method = environ.get("REQUEST_METHOD", "GET")
    if method != "POST":
        return False
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    query = environ.get("QUERY_STRING", "")
    content_type = environ.get("CONTENT_TYPE", "")
    return (
        target.startswith((_DYNAMODB_TARGET, _STATES_TARGET))
        or "delete" in parse_qs(query, keep_blank_values=True)
        or content_type.startswith("multipart/form-data")
    )


def touched(environ: dict[str, Any], body: bytes) -> Touched | None:
    method = environ.get("REQUEST_METHOD", "GET")
    if method in ("GET", "HEAD", "OPTIONS"):
        return None
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target.startswith(_DYNAMODB_TARGET):
        scope = scope_of(environ)
        return _dynamodb(scope, target.removeprefix(_DYNAMODB_TARGET), body) if scope else None
    if target.startswith(_STATES_TARGET):
        scope = scope_of(environ)
        return _states(scope, target.removeprefix(_STATES_TARGET), body) if scope else None
    if target:
        return None
    form_upload = method == "POST" and environ.get("CONTENT_TYPE", "").startswith("multipart/form-data")
    scope = scope_of(environ) or (Scope("", "us-east-1", "s3") if form_upload else None)
    if scope is None or scope.service != "s3":
        return None
    return _s3(scope, environ, body)


def _s3(scope: Scope, environ: dict[str, Any], body: bytes) -> Touched | None:
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
    bucket, _, raw_key = urlsplit(raw).path.lstrip("/").partition("/")
    bucket, key = unquote(bucket), unquote(raw_key)
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    method = environ["REQUEST_METHOD"]
    if not bucket:
        return None
    found = Touched(scope)
    if not key:
        if method == "POST" and "delete" in query:  # DeleteObjects
            found.objects = [(bucket, _xml_unescape(k.decode())) for k in _DELETE_KEY.findall(body)]
        elif method == "POST" and environ.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
            form_key = _form_key(environ, body)
            found.objects = [(bucket, form_key)] if form_key else []
        return found if found.objects else None
    if "uploads" in query or ("partNumber" in query and "uploadId" in query):
        return None  # starting a multipart upload, or one part of it: nothing visible yet
    if method == "DELETE" and "uploadId" in query:
        return None  # AbortMultipartUpload
    if method == "POST" and "uploadId" not in query:
        return None  # restore, select: no change to the object's content
    found.objects = [(bucket, key)]
    return found


def _form_key(environ: dict[str, Any], body: bytes) -> str | None:
    copy = dict(environ, **{"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))})
    _, form, files = parse_form_data(copy)
    key = form.get("key")
    if not key:
        return None
    upload = files.get("file")
    return key.replace("${filename}", upload.filename or "") if upload is not None else key


def _xml_unescape(text: str) -> str:
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


def _dynamodb(scope: Scope, operation: str, body: bytes) -> Touched | None:
    request = _json(body)
    found = Touched(scope)
    if operation == "PutItem":
        found.items = [(request["TableName"], request["Item"])]
    elif operation in ("UpdateItem", "DeleteItem"):
        found.items = [(request["TableName"], request["Key"])]
    elif operation == "BatchWriteItem":
        for table, writes in request.get("RequestItems", {}).items():
            for write in writes:
                if "PutRequest" in write:
                    found.items.append((table, write["PutRequest"]["Item"]))
                elif "DeleteRequest" in write:
                    found.items.append((table, write["DeleteRequest"]["Key"]))
    elif operation == "TransactWriteItems":
        for action in request.get("TransactItems", []):
            if "Put" in action:
                found.items.append((action["Put"]["TableName"], action["Put"]["Item"]))
            for kind in ("Update", "Delete"):
                if kind in action:
                    found.items.append((action[kind]["TableName"], action[kind]["Key"]))
    return found if found.items else None


def _states(scope: Scope, operation: str, body: bytes) -> Touched | None:
    if operation not in _STATE_MACHINE_WRITES:
        return None
    arn = _json(body).get("stateMachineArn", "")
    return Touched(scope, state_machine="" if operation == "CreateStateMachine" else str(arn))


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
