"""The one way both APIs read a request body: JSON only, bounded in size and depth, UTF-8.

Every route that takes a body reads it here (through `JsonBodyValidation`), so a client's
malformed body is always a 4xx naming what is wrong, and is refused before anything is written:

    Content-Type other than application/json (or none)     415 UnsupportedMediaType
    larger than the API's limit (bytes, after base64)      413 PayloadTooLarge
    not UTF-8, not JSON, NaN/Infinity, a number Python
    cannot hold, an unpaired surrogate escape              400 BadRequest
    nested deeper than MAX_JSON_DEPTH arrays/objects       400 BadRequest

Chalice, which served MIE's APIs, answered 415 to a body that was not JSON; the local API
Gateway refuses bodies over API Gateway's own 10 MB before they reach a function.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from itertools import accumulate
from typing import Any

from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from api.common.http_errors import BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError
from api.common.messages import quoted

JSON_CONTENT_TYPE = "application/json"
# Deep enough for any operator's results (Rekognition's deepest answers nest under 10 levels);
# shallow enough that parsing and validating never come near Python's recursion limit.
MAX_JSON_DEPTH = 64

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]")
_BRACKET_STEP = str.maketrans({"[": "+", "{": "+", "]": "-", "}": "-"})
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _media_type(event: BaseProxyEvent) -> str:
    return event.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _raw_body(event: BaseProxyEvent) -> bytes:
    body = event.body or ""
    if not event.is_base64_encoded:
        # API Gateway passes a text body as it came; the local gateway base64s anything not UTF-8.
        return body.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequestError("the request body is not valid base64") from exc


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in JSON `text` (0 for a scalar); strings are skipped."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).translate(_BRACKET_STEP)
    return max(accumulate(1 if step == "+" else -1 for step in brackets), default=0)


def _refuse_constant(name: str) -> Any:
    raise BadRequestError(f"the request body is not valid JSON: {name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadRequestError(f"the request body has a number out of range: {quoted(text)}")
    return value


def parse_json(text: str) -> Any:
    """`text` as a JSON value, with every refusal a BadRequestError saying why."""
    depth = nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise BadRequestError(
            f"the request body nests arrays and objects {depth} deep; the limit is {MAX_JSON_DEPTH}"
        )
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise BadRequestError(f"the request body is not valid JSON: {exc.msg} at position {exc.pos}") from exc
    except ValueError as exc:  # the only other refusal: Python's bound on an integer's digits
        raise BadRequestError("the request body cannot be read: a number has more than 4300 digits") from exc
    except RecursionError as exc:  # not expected below MAX_JSON_DEPTH; never a 500 all the same
        raise BadRequestError("the request body cannot be read: it nests too deep") from exc
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BadRequestError("the request body has a \\u escape of an unpaired surrogate") from exc
    return value


def read_json_body(event: BaseProxyEvent, max_bytes: int) -> Any:
    """The parsed JSON body of `event` (None when empty), or the 4xx above."""
    media_type = _media_type(event)
    if media_type not in ("", JSON_CONTENT_TYPE):
        raise UnsupportedMediaTypeError(
            f"the request body must be {JSON_CONTENT_TYPE}, not {quoted(media_type)}"
        )
    raw = _raw_body(event)
    if len(raw) > max_bytes:
        raise PayloadTooLargeError(f"the request body is {len(raw)} bytes; the limit is {max_bytes}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequestError(f"the request body is not UTF-8 (byte {exc.start} is invalid)") from exc
    if not text.strip():
        return None
    return parse_json(text)


class JsonBodyValidation(OpenAPIRequestValidationMiddleware):
    """Powertools' request validation, with the body read by `read_json_body` on every route."""

    def __init__(self, max_body_bytes: int) -> None:
        super().__init__()
        self.max_body_bytes = max_body_bytes

    def _get_body(self, app: Any) -> Any:
        return read_json_body(app.current_event, self.max_body_bytes)


def install(app: Any, max_body_bytes: int) -> None:
    """Make `app` (a resolver built with enable_validation=True) read bodies through this module."""
    # Powertools keeps its validation middleware in this attribute and runs it for every route.
    app._request_validation_middleware = JsonBodyValidation(max_body_bytes)
