"""DynamoDB items between the wire's JSON (binary as base64 text) and boto3's form (binary as bytes).

The journal and the snapshot keep items as JSON text, so binary values (`B`, `BS`, at any depth in
`M` and `L`) are kept as DynamoDB's wire protocol sends them: base64 strings. boto3 takes and gives
bytes for them and base64-encodes what it sends, so an item must be converted on the way in and out
(a base64 string handed to boto3 as a `B` value would be stored encoded twice).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

AttributeValue = dict[str, Any]


def _convert(value: AttributeValue, binary: Callable[[Any], Any]) -> AttributeValue:
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": binary(inner)}
    if kind == "BS":
        return {"BS": [binary(member) for member in inner]}
    if kind == "M":
        return {"M": {name: _convert(member, binary) for name, member in inner.items()}}
    if kind == "L":
        return {"L": [_convert(member, binary) for member in inner]}
    return value


def to_wire(item: dict[str, AttributeValue]) -> dict[str, AttributeValue]:
    """boto3's item (bytes for binary) -> the wire's JSON (base64 text); JSON-serialisable."""
    return {
        name: _convert(value, lambda b: base64.b64encode(b).decode("ascii")) for name, value in item.items()
    }


def from_wire(item: dict[str, AttributeValue]) -> dict[str, AttributeValue]:
    """The wire's JSON (base64 text) -> boto3's item (bytes for binary), as `put_item` takes it."""
    return {name: _convert(value, base64.b64decode) for name, value in item.items()}
