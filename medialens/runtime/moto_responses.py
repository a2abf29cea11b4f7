"""Two of moto's per-request costs that grow with the work, made flat without changing any answer.

Measured with `bench/execution_anatomy.py` and a CPU profile of the platform process:

- `TransactWriteItems` deep-copies every table it touches before it starts, to roll back if a
  condition fails. The executions table holds every execution's record and operator outcomes, so
  each admission (a transaction) copied thousands of items, and the cost grew with every execution
  ever run. While the platform's copy is installed, moto copies no table; this module saves a deep
  copy of each *item* the transaction names instead and, wherever moto would have rolled the tables
  back, puts those items back (or removes those that did not exist). Writes to moto's DynamoDB are
  serialized (`moto_tuning`), so nothing else changes the items meanwhile. A table with a stream is
  still copied whole, as moto does, so its stream records roll back with it.
- moto's response serializer looks up each member of each output shape (a DynamoDB item's every
  attribute value is a structure of ten members) by trying up to six aliases and their snake_case
  forms, building them anew for every value. For the plain dicts moto's DynamoDB and most services
  answer with, the aliases depend only on the member's name and its shape, so they are computed
  once per (service, member, shape, parent shape) and reused;
- every request lists its handler class's methods with `inspect.getmembers` to check the action
  is one; the list is made once per class;
- the server's host lookup lists moto's package folders twice per request; the list is fixed once
  moto is installed, so it is read once;
- writes to moto's DynamoDB (put, update, delete, and transactions) take one lock: a transaction's
  item copies, and the journal's read-back of an item, see nothing change under them.

`install()` / `uninstall()` apply and restore them all; `moto_tuning` calls them. This module
imports nothing of Step Functions, so the DynamoDB process (`service_process.py`) starts quickly.
"""

from __future__ import annotations

import copy
import functools
import threading
import types
from collections.abc import Callable, Iterable
from typing import Any

from moto import backends
from moto.core import responses as core_responses
from moto.core import serialize
from moto.core.utils import get_value, method_names_from_class
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.exceptions import (
    MockValidationException,
    MultipleTransactionsException,
    TransactionCanceledException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

# The exceptions after which moto's transact_write_items restores its table copies.
_ROLLED_BACK = (TransactionCanceledException, MultipleTransactionsException, MockValidationException)
_local = threading.local()
# Every write to moto's DynamoDB takes this lock (`moto_tuning` wraps put, update and delete with it).
WRITES_LOCK = threading.RLock()
_originals: dict[str, Any] = {}
_lock = threading.Lock()


def _deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
    # Inside a tuned transaction moto's table "backup" is the table itself; the items are saved apart.
    if isinstance(value, Table) and getattr(_local, "item_rollback", False):
        return value
    return copy.deepcopy(value, memo)


# What `moto.dynamodb.models` sees as its `copy` module while installed.
_COPY_SHIM = types.SimpleNamespace(deepcopy=_deepcopy, copy=copy.copy)

ItemKey = tuple[str, DynamoType, DynamoType | None]


def _item_keys(backend: DynamoDBBackend, transact_items: Iterable[dict[str, Any]]) -> list[ItemKey] | None:
    """(table, hash, range) of each item the transaction names; None when moto's full copy is needed."""
    keys: list[ItemKey] = []
    for entry in transact_items:
        if not isinstance(entry, dict) or len(entry) != 1:
            continue  # moto refuses it before touching anything
        op = next(iter(entry.values()))
        table = backend.tables.get(op.get("TableName", "")) if isinstance(op, dict) else None
        if table is None:
            continue
        if table.stream_shard is not None:
            return None
        attributes = op.get("Item") if "Put" in entry else op.get("Key")
        if not isinstance(attributes, dict) or table.hash_key_attr not in attributes:
            continue  # moto answers a validation error before this item changes
        range_attr = table.range_key_attr
        if range_attr is not None and range_attr not in attributes:
            continue
        hash_value = DynamoType(attributes[table.hash_key_attr])
        range_value = DynamoType(attributes[range_attr]) if range_attr is not None else None
        keys.append((table.name, hash_value, range_value))
    return keys


def _saved(backend: DynamoDBBackend, keys: list[ItemKey]) -> list[tuple[ItemKey, Any, bool]]:
    """Each item's deep copy (None if absent), and whether its hash held a range dict before."""
    saved = []
    for key in keys:
        table_name, hash_value, range_value = key
        table = backend.tables[table_name]
        had_hash = hash_value in table.items
        current = table.items.get(hash_value) if had_hash else None
        if range_value is not None:
            current = current.get(range_value) if isinstance(current, dict) else None
        saved.append((key, copy.deepcopy(current), had_hash))
    return saved


def _restore(backend: DynamoDBBackend, saved: list[tuple[ItemKey, Any, bool]]) -> None:
    for (table_name, hash_value, range_value), item, had_hash in reversed(saved):
        table = backend.tables.get(table_name)
        if table is None:
            continue
        if range_value is None:
            if item is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = item
            continue
        ranges = table.items[hash_value]
        if item is None:
            ranges.pop(range_value, None)
            if not ranges and not had_hash:
                del table.items[hash_value]
        else:
            ranges[range_value] = item


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    original = _originals["transact_write_items"]
    with WRITES_LOCK:
        keys = _item_keys(self, transact_items) if len(transact_items) <= 100 else None
        if keys is None:
            return original(self, transact_items)  # moto's own full-table copy (or its own refusal)
        saved = _saved(self, keys)
        _local.item_rollback = True
        try:
            return original(self, transact_items)
        except _ROLLED_BACK:
            _restore(self, saved)
            raise
        finally:
            _local.item_rollback = False


_aliases: dict[tuple[Any, ...], tuple[str, ...]] = {}
_MISSING = object()


def _get_value(self: serialize.ResponseSerializer, value: Any, key: str, shape: Any) -> Any:
    """moto's member lookup; for a plain dict with the default aliases, from cached alias lists."""
    picker = self._value_picker
    plain = (
        type(value) is dict
        and shape is not None
        and type(picker) is serialize.XFormedAttributePicker
        and picker.alias_providers is serialize.DEFAULT_ALIAS_PROVIDERS
        and not picker.response_transformers
    )
    if not plain:
        return _originals["get_value"](self, value, key, shape)
    parent = getattr(shape, "parent", None)
    service = self.operation_model.service_model.service_name
    parent_key = None if parent is None else (parent.name, parent.type_name)
    cache_key = (service, key, shape.name, shape.type_name, shape.serialization.get("name"), parent_key)
    candidates = _aliases.get(cache_key)
    if candidates is None:
        context = serialize.AttributePickerContext(
            obj=value, key=key, shape=shape, operation_model=self.operation_model, service_model=None
        )
        # A dict has no Meta and its class name is "dict": the aliases follow from key and shape alone.
        candidates = tuple(picker.get_possible_keys(context))
        _aliases[cache_key] = candidates
    for candidate in candidates:
        found = (
            value.get(candidate, _MISSING) if "." not in candidate else get_value(value, candidate, _MISSING)
        )
        if found is not _MISSING:
            return found
    return None


@functools.cache
def _method_names(cls: type) -> frozenset[str]:
    return frozenset(method_names_from_class(cls))


def _serialized(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with WRITES_LOCK:
            return method(*args, **kwargs)

    return call


# Transactions take the same lock in `_transact_write_items`, which rolls them back item by item.
_DYNAMODB_WRITES = ("put_item", "update_item", "delete_item")


@functools.cache
def _moto_modules() -> tuple[str, ...]:
    return tuple(_originals["list_of_moto_modules"]())


def _cached_moto_modules() -> Iterable[str]:
    return _moto_modules()


def install() -> None:
    with _lock:
        if _originals:
            return
        for name in _DYNAMODB_WRITES:
            _originals[f"dynamodb.{name}"] = DynamoDBBackend.__dict__[name]
            setattr(DynamoDBBackend, name, _serialized(DynamoDBBackend.__dict__[name]))
        _originals["list_of_moto_modules"] = backends.list_of_moto_modules
        backends.list_of_moto_modules = _cached_moto_modules
        _originals["transact_write_items"] = DynamoDBBackend.__dict__["transact_write_items"]
        _originals["copy"] = dynamodb_models.copy
        _originals["get_value"] = serialize.ResponseSerializer.__dict__["get_value"]
        DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
        dynamodb_models.copy = _COPY_SHIM  # type: ignore[assignment]
        serialize.ResponseSerializer.get_value = _get_value  # type: ignore[method-assign]
        _originals["method_names_from_class"] = core_responses.method_names_from_class
        core_responses.method_names_from_class = _method_names  # type: ignore[assignment]


def uninstall() -> None:
    with _lock:
        if not _originals:
            return
        DynamoDBBackend.transact_write_items = _originals.pop("transact_write_items")  # type: ignore[method-assign]
        dynamodb_models.copy = _originals.pop("copy")
        serialize.ResponseSerializer.get_value = _originals.pop("get_value")  # type: ignore[method-assign]
        core_responses.method_names_from_class = _originals.pop("method_names_from_class")
        backends.list_of_moto_modules = _originals.pop("list_of_moto_modules")
        for name in _DYNAMODB_WRITES:
            setattr(DynamoDBBackend, name, _originals.pop(f"dynamodb.{name}"))
    _moto_modules.cache_clear()
    _aliases.clear()
    _method_names.cache_clear()
