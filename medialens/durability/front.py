"""The journaling front: a WSGI app in front of moto's that journals every confirmed write.

For a request that may change kept state (`requests.touched`), the front lets moto answer, and
when the answer is a success it reads back, through moto's own API in-process, the state of each
thing the request touched, appends that state to the journal and waits for the fsync; only then
does the client get its answer. Read-back and append happen under one lock, so the journal's order
of records for a resource is the order of its reads, and the last record holds its newest state.

A write moto applied but the front had not yet journaled when the process died was never answered:
losing it breaks no promise.
"""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.utilities import DynamoJsonEncoder
from moto.iam.models import get_account_id_from
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

from medialens.durability import changes as ch
from medialens.durability.item_json import from_wire
from medialens.durability.journal import Journal
from medialens.durability.requests import Scope, Touched, needs_body, touched
from medialens.runtime import moto_responses

LOG = logging.getLogger(__name__)
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_JSON_1_0 = "application/x-amz-json-1.0"


class JournalingFront:
    """Wraps moto's WSGI app; journals while a `Journal` is attached (`attach`), passes through otherwise."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._journal: Journal | None = None
        self._order = threading.Lock()
        self._key_schemas: dict[str, list[str]] = {}

    def attach(self, journal: Journal | None) -> None:
        self._journal = journal

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        journal = self._journal
        if journal is None or environ.get("REQUEST_METHOD") in ("GET", "HEAD", "OPTIONS"):
            return self._app(environ, start_response)
        body = b""
        if needs_body(environ):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0) or -1)
            environ["wsgi.input"] = io.BytesIO(body)
        app_iter, status, headers = run_wsgi_app(self._app, environ, buffered=True)
        answer = b"".join(app_iter)
        if status[:1] == "2":
            try:
                found = touched(environ, body)
                if found is not None:
                    self._journal_changes(journal, environ, found, answer)
            except Exception:
                # Never answer a success we could not make durable.
                LOG.exception(
                    "journaling %s %s failed", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
                )
                start_response("500 Internal Server Error", [("Content-Type", "application/json")])
                return [json.dumps({"message": "the local platform could not journal this write"}).encode()]
        start_response(status, list(headers.items()))
        return [answer]

    def _journal_changes(
        self, journal: Journal, environ: dict[str, Any], found: Touched, answer: bytes
    ) -> None:
        host = environ.get("HTTP_HOST", "127.0.0.1")
        with self._order:
            states = self._read_back(found, host, answer)
            if not states:
                return
            sequence = journal.append(ch.encode(states))
        journal.sync(sequence)

    # read-back through moto's API, in-process

    def _call(
        self, scope: Scope, service: str, host: str, method: str, path: str, body: bytes = b"", **headers: str
    ) -> tuple[int, Headers, bytes]:
        credential = f"{scope.access_key or 'medialens'}/20000101/{scope.region}/{service}/aws4_request"
        request_headers: dict[str, str] = {
            "Host": host,
            "Authorization": f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature=0",
            **headers,
        }
        builder = EnvironBuilder(path=path, method=method, data=body, headers=list(request_headers.items()))
        app_iter, status, response_headers = run_wsgi_app(self._app, builder.get_environ(), buffered=True)
        return int(status.split()[0]), response_headers, b"".join(app_iter)  # case-insensitive

    def _target(self, scope: Scope, host: str, target: str, request: dict[str, Any]) -> dict[str, Any]:
        service = "dynamodb" if target.startswith("DynamoDB") else "states"
        code, _, data = self._call(
            scope,
            service,
            host,
            "POST",
            "/",
            json.dumps(request).encode(),
            **{"X-Amz-Target": target, "Content-Type": _JSON_1_0},
        )
        answer: dict[str, Any] = json.loads(data or b"{}")
        if code >= 300:
            answer["__status"] = code
        return answer

    def _read_back(self, found: Touched, host: str, answer: bytes) -> list[ch.Change]:
        states: list[ch.Change] = []
        for bucket, key in found.objects:
            states.append(self._object(found.scope, host, bucket, key))
        for table, attributes in found.items:
            states.append(self._item(found.scope, host, table, attributes))
        if found.state_machine is not None:
            arn = found.state_machine or str(json.loads(answer or b"{}").get("stateMachineArn", ""))
            if arn:
                states.append(self._state_machine(found.scope, host, arn))
        return states

    def _object(self, scope: Scope, host: str, bucket: str, key: str) -> ch.ObjectState:
        code, headers, data = self._call(scope, "s3", host, "GET", f"/{quote(bucket)}/{quote(key, safe='/')}")
        if code == 404:
            return ch.ObjectState(bucket, key, None)
        if code >= 300:
            raise RuntimeError(f"reading back s3://{bucket}/{key} answered {code}")
        metadata = {
            name[len("x-amz-meta-") :].lower(): value
            for name, value in headers.items()
            if name.lower().startswith("x-amz-meta-")
        }
        return ch.ObjectState(bucket, key, data, headers.get("Content-Type", "binary/octet-stream"), metadata)

    def _item(self, scope: Scope, host: str, table: str, attributes: dict[str, Any]) -> ch.ItemState:
        """The item as GetItem would answer it, read from moto's backend.

        A GetItem through moto's app (request parsing, Flask, response serialising) cost about a
        millisecond per write, most of the journal's cost; the backend's own item, encoded as
        moto's responses encode it, is the same JSON (every attribute type is compared in
        `tests/functional/durability/test_journaling_front.py`).
        """
        names = self._key_schema(scope, host, table)
        key = {name: attributes[name] for name in names}
        backend = dynamodb_backends[get_account_id_from(scope.access_key or "medialens")][scope.region]
        with moto_responses.WRITES_LOCK:  # no write changes the item while it is encoded
            item = backend.get_item(table, from_wire(key))  # moto keys binary values by their bytes
            state = (
                None
                if item is None
                else json.loads(json.dumps(item.to_json()["Attributes"], cls=DynamoJsonEncoder))
            )
        return ch.ItemState(table, key, state)

    def _key_schema(self, scope: Scope, host: str, table: str) -> list[str]:
        names = self._key_schemas.get(table)
        if names is None:
            described = self._target(scope, host, "DynamoDB_20120810.DescribeTable", {"TableName": table})
            names = [part["AttributeName"] for part in described["Table"]["KeySchema"]]
            self._key_schemas[table] = names
        return names

    def _state_machine(self, scope: Scope, host: str, arn: str) -> ch.StateMachineState:
        described = self._target(
            scope, host, "AWSStepFunctions.DescribeStateMachine", {"stateMachineArn": arn}
        )
        if "__status" in described:
            return ch.StateMachineState(arn, arn.rsplit(":", 1)[-1], None)
        return ch.StateMachineState(arn, described["name"], described["definition"], described["roleArn"])
