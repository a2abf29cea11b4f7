"""A stand-in for the two OpenSearch endpoints the search consumer calls, on 127.0.0.1.

No OpenSearch server can be installed here, so this serves `PUT /{index}/_doc/{id}` and
`POST /{pattern}/_delete_by_query` from memory. Every request must carry a valid SigV4 signature
for service `es` (checked with the same botocore-based verifier the local API uses), and the stub
can be told to answer an error status for the next requests.
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
    scripted_statuses: list[int] = field(default_factory=list)
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
        if self.scripted_statuses:
            return _json(self.scripted_statuses.pop(0), {"error": "scripted"})(environ, start_response)
        return self._serve(request)(environ, start_response)

    def _serve(self, request: Request) -> Response:
        # The raw path: a document id may hold an encoded "/".
        parts = [unquote(part) for part in raw_path(request).strip("/").split("/")]
        body = json.loads(request.get_data() or b"{}")
        if request.method == "PUT" and len(parts) == 3 and parts[1] == "_doc":
            index, document_id = parts[0], parts[2]
            created = document_id not in self.indexes.setdefault(index, {})
            self.indexes[index][document_id] = body
            return _json(201 if created else 200, {"result": "created" if created else "updated"})
        if request.method == "POST" and len(parts) == 2 and parts[1] == "_delete_by_query":
            matching = [name for name in self.indexes if fnmatch.fnmatchcase(name, parts[0])]
            if not matching and "*" not in parts[0]:
                return _json(404, {"error": {"type": "index_not_found_exception"}})
            deleted = sum(self._delete(name, body) for name in matching)
            return _json(200, {"deleted": deleted})
        return _json(400, {"error": f"the stub does not serve {request.method} {request.path}"})

    def _delete(self, index: str, query: dict[str, Any]) -> int:
        terms = {
            name.removesuffix(".keyword"): value
            for clause in query["query"]["bool"]["filter"]
            for name, value in clause["term"].items()
        }
        documents = self.indexes[index]
        doomed = [key for key, doc in documents.items() if all(doc.get(k) == v for k, v in terms.items())]
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
