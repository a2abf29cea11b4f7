"""A stand-in for the two OpenSearch endpoints the search consumer calls, on 127.0.0.1.

No OpenSearch server can be installed here, so this serves `POST /_bulk` (index actions),
`POST /{pattern}/_refresh` and `POST /{pattern}/_delete_by_query` from memory. Every request must
carry a valid SigV4 signature for service `es` (checked with the same botocore-based verifier the
local API uses). As OpenSearch does, a delete by query sees only documents written before the last
refresh of their index. The stub can be told to answer an error status for the next requests
(`scripted_statuses`), or for one bulk item by document id (`item_statuses`).
"""

from __future__ import annotations

import fnmatch
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from werkzeug import Request, Response
from werkzeug.serving import make_server

from medialens.runtime.sigv4 import SignatureError, raw_path, verify_request
from medialens.state import LocalCredentials


@dataclass
class OpenSearchStub:
    credentials: LocalCredentials
    indexes: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    unsigned_refusals: int = 0
    scripted_statuses: list[int | None] = field(default_factory=list)  # None: served as usual
    item_statuses: dict[str, int] = field(default_factory=dict)
    truncate_next_bulk_answer: bool = False  # apply the actions, answer one item short
    unrefreshed: set[tuple[str, str]] = field(default_factory=set)
    templates: dict[str, Any] = field(default_factory=dict)
    saved_objects: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    url: str = ""

    def documents(self, index: str) -> dict[str, Any]:
        return self.indexes.get(index, {})

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        try:
            verify_request(request, self.credentials, service="es")
        except SignatureError as exc:
            self.unsigned_refusals += 1
            return _json(403, {"message": exc.reason})(environ, start_response)
        self.requests.append((request.method, request.path))
        status = self.scripted_statuses.pop(0) if self.scripted_statuses else None
        if status is not None:
            return _json(status, {"error": "scripted"})(environ, start_response)
        return self._serve(request)(environ, start_response)

    def _serve(self, request: Request) -> Response:
        # The raw path: a document id may hold an encoded "/".
        parts = [unquote(part) for part in raw_path(request).strip("/").split("/")]
        if request.method == "POST" and parts == ["_bulk"]:
            return self._bulk(request)
        if request.method == "PUT" and len(parts) == 2 and parts[0] == "_index_template":
            self.templates[parts[1]] = json.loads(request.get_data())
            return _json(200, {"acknowledged": True})
        if request.method == "POST" and parts == ["_dashboards", "api", "saved_objects", "_import"]:
            return self._import(request)
        if request.method == "POST" and len(parts) == 2 and parts[1] in ("_refresh", "_delete_by_query"):
            matching = [name for name in self.indexes if fnmatch.fnmatchcase(name, parts[0])]
            if not matching and "*" not in parts[0] and request.args.get("ignore_unavailable") != "true":
                return _json(404, {"error": {"type": "index_not_found_exception"}})
            if parts[1] == "_refresh":
                self.unrefreshed = {(index, key) for index, key in self.unrefreshed if index not in matching}
                return _json(200, {"_shards": {"failed": 0}})
            body = json.loads(request.get_data() or b"{}")
            return _json(200, {"deleted": sum(self._delete(name, body) for name in matching)})
        return _json(400, {"error": f"the stub does not serve {request.method} {request.path}"})

    def _bulk(self, request: Request) -> Response:
        if request.mimetype not in ("application/x-ndjson", "application/json"):
            return _json(406, {"error": f"Content-Type {request.mimetype!r} is not supported"})
        data = request.get_data()
        if not data.endswith(b"\n"):
            return _json(400, {"error": "The bulk request must be terminated by a newline [\\n]"})
        lines = data.decode("utf-8").splitlines()
        items = []
        for header, source in zip(lines[0::2], lines[1::2], strict=True):
            target = json.loads(header)["index"]
            index, document_id = target["_index"], target["_id"]
            status = self.item_statuses.pop(document_id, None)
            if status is not None:
                error = {"type": "scripted", "reason": f"scripted {status}"}
                items.append(
                    {"index": {"_index": index, "_id": document_id, "status": status, "error": error}}
                )
                continue
            created = document_id not in self.indexes.setdefault(index, {})
            self.indexes[index][document_id] = json.loads(source)
            self.unrefreshed.add((index, document_id))
            items.append({"index": {"_index": index, "_id": document_id, "status": 201 if created else 200}})
        if self.truncate_next_bulk_answer:
            self.truncate_next_bulk_answer = False
            items.pop()
        errors = any("error" in item["index"] for item in items)
        return _json(200, {"took": 1, "errors": errors, "items": items})

    def _import(self, request: Request) -> Response:
        # As Dashboards: the xsrf header, one ndjson file, an id may be replaced only with overwrite.
        if request.headers.get("osd-xsrf") is None:
            return _json(400, {"message": "Request must contain a osd-xsrf header."})
        upload = request.files.get("file")
        if upload is None:
            return _json(400, {"message": "[request body.file]: expected value of type [object]"})
        errors = []
        lines = [json.loads(line) for line in upload.read().decode().splitlines() if line.strip()]
        for item in lines:
            key = (item["type"], item["id"])
            if key in self.saved_objects and request.args.get("overwrite") != "true":
                errors.append({"id": item["id"], "type": item["type"], "error": {"type": "conflict"}})
                continue
            self.saved_objects[key] = item
        return _json(200, {"success": not errors, "successCount": len(lines) - len(errors), "errors": errors})

    def _delete(self, index: str, query: dict[str, Any]) -> int:
        terms = {
            name.removesuffix(".keyword"): value
            for clause in query["query"]["bool"]["filter"]
            for name, value in clause["term"].items()
        }
        documents = self.indexes[index]
        doomed = [
            key
            for key, doc in documents.items()
            if (index, key) not in self.unrefreshed and all(doc.get(k) == v for k, v in terms.items())
        ]
        for key in doomed:
            del documents[key]
        return len(doomed)


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


@contextmanager
def running_stub(credentials: LocalCredentials) -> Iterator[OpenSearchStub]:
    stub = OpenSearchStub(credentials)
    server = make_server("127.0.0.1", 0, stub, threaded=True)
    stub.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
