"""Take work off moto's hot paths without changing what it does.

The local runtime runs every AWS call of every execution through one moto server in the platform
process, so moto's per-call costs are the platform's latency. Measured with
`bench/execution_anatomy.py`, three of them do the same work again and again:

- the Step Functions interpreter lexes, parses and preprocesses the state machine's ASL text on
  every execution (about 230 ms of CPU for a 3-stage workflow; the preprocessing alone was still
  a quarter of the platform process's CPU under load). The program is built once per definition
  text (a changed definition is a new key) and shared by its executions, as moto's Map state
  shares one iterator program between its iterations (`_ProgramCache` says why that is safe);
- it parses every JSONPath (`InputPath`, `ResultPath`, `"key.$"`) again at every state, building a
  parser each time; parsed paths are immutable, so they are cached by their text;
- the interpreter builds a new boto3 client for every Lambda task (6-9 ms each); clients are
  cached per region, service and endpoint, and reuse their connections;
- each Lambda task is an HTTP request from the interpreter back to the same server (a socket, a
  Flask dispatch, botocore serialising and parsing both ways): a task whose function exists and
  is invoked synchronously calls moto's Lambda backend in process instead, the very method the
  server's Invoke route calls, and gets the same payload and `FunctionError`; anything else (an
  unknown function, another invocation type) still goes over HTTP, so its errors are moto's own;
- DynamoDB's `TransactWriteItems` deep-copies each table it touches, to roll back, while other
  request threads write to the same table: under load the copy failed ("dictionary changed size
  during iteration", a 500). Writes to moto's DynamoDB (put, update, delete, transactions) now
  take one lock, so a transaction's copy sees a table nobody is changing;
- the server's host lookup lists moto's package folders twice per request; the list is fixed once
  moto is installed, so it is read once.

`install()` applies them all; `uninstall()` restores moto's own functions. Both are idempotent.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import threading
import types
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from moto.awslambda.models import lambda_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.models import botocore_stubber
from moto.settings import moto_server_port
from moto.stepfunctions.parser.asl.antlr.runtime.ASLLexer import ASLLexer
from moto.stepfunctions.parser.asl.antlr.runtime.ASLParser import ASLParser
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.component import Component
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.component.program.program import Program
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.eval import states as interpreter_states
from moto.stepfunctions.parser.asl.parse import asl_parser
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor
from moto.stepfunctions.parser.asl.utils import json_path

from medialens.runtime import moto_responses

PARSE_CACHE_SIZE = 128  # distinct definitions kept; a workflow's machine is one entry

_lock = threading.Lock()
_originals: dict[str, Any] = {}


class _ProgramCache:
    """Definition text -> (the interpreter's program, its ANTLR parse tree), least recently used
    evicted first.

    One program serves every execution of its definition, at once: moto's components keep no
    execution's state on themselves (each execution's values live in its `Environment`, under a
    component's `heap_key`, which is why a Map state can run one iterator program in many threads).
    Two things are done once, at build, so that sharing changes nothing:

    - every component's `heap_key` is drawn (moto draws it on first use, unlocked: two executions
      reaching a fresh `MaxAttempts` together could each draw one, and one would lose its count);
    - the text of every `Program` in it is taken once. moto names each Parallel branch's thread
      after its program's text (`vars()` of the whole branch, recursively), at every execution.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._programs: OrderedDict[str, tuple[EvalComponent, Any]] = OrderedDict()
        self._lock = threading.Lock()
        # One build at a time: a burst of executions of a new definition would otherwise each
        # build it (20 at once: 20 builds of ~70 ms). Builds of different definitions would run
        # in turn under the GIL all the same.
        self._build_lock = threading.Lock()

    def program(self, definition: str) -> tuple[EvalComponent, Any]:
        with self._lock:
            cached = self._programs.get(definition)
            if cached is not None:
                self._programs.move_to_end(definition)
                return cached
        with self._build_lock:
            with self._lock:
                cached = self._programs.get(definition)
            if cached is not None:  # built by the thread this one waited for
                return cached
            built = _build_program(definition)  # a syntax error raises, as moto does: not cached
            with self._lock:
                self._programs[definition] = built
                while len(self._programs) > self._size:
                    self._programs.popitem(last=False)
            return built

    def clear(self) -> None:
        with self._lock:
            self._programs.clear()


def _build_program(definition: str) -> tuple[EvalComponent, Any]:
    """moto's own lex, parse and preprocess steps; raises its ASLParserException on a syntax error
    (not cached, as moto raises it at every call)."""
    listener = asl_parser.SyntaxErrorListener()
    parser = ASLParser(asl_parser.CommonTokenStream(ASLLexer(asl_parser.InputStream(definition))))
    parser.removeErrorListeners()
    parser.addErrorListener(listener)
    tree = parser.state_machine()
    if listener.errors:
        raise asl_parser.ASLParserException(errors=listener.errors)
    program = Preprocessor().visit(tree)
    components = list(_components(program))
    for component in components:
        if isinstance(component, EvalComponent):
            _ = component.heap_key
    for component in components:  # after every key is drawn: a program's text shows its parts' keys
        if isinstance(component, Program):
            _PROGRAM_TEXTS[component] = Component.__str__(component)
    return program, tree


def _components(root: Component) -> Iterator[Component]:
    """Every component reachable from `root` through attributes, lists, tuples and dicts."""
    seen: set[int] = set()
    stack: list[Any] = [root]
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, Component):
            yield value
            stack.extend(vars(value).values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())


# The text of each cached program; weak, so an evicted program takes its text with it.
_PROGRAM_TEXTS: weakref.WeakKeyDictionary[Program, str] = weakref.WeakKeyDictionary()


def _memo_program_text(self: Program) -> str:
    text = _PROGRAM_TEXTS.get(self)
    return text if text is not None else Component.__str__(self)


PROGRAMS = _ProgramCache(PARSE_CACHE_SIZE)


def _cached_parse(definition: str) -> tuple[EvalComponent, Any]:
    return PROGRAMS.program(definition)


_clients: dict[tuple[str, str, str], BaseClient] = {}
_PAYLOAD_LIMIT = 6_000_000  # moto's Invoke route answers Function.ResponseSizeTooLarge past this
_TOO_LARGE = "Response payload size exceeded maximum allowed payload size (6291556 bytes)."


class _InProcessLambda:
    """The part of a boto3 Lambda client the interpreter's Lambda tasks use: `invoke`."""

    def __init__(self, region: str, http_client: BaseClient) -> None:
        self._region = region
        self._http = http_client

    def invoke(self, **parameters: Any) -> dict[str, Any]:
        name = str(parameters.get("FunctionName", ""))
        qualifier = parameters.get("Qualifier")
        if parameters.get("InvocationType", "RequestResponse") != "RequestResponse":
            return dict(self._http.invoke(**parameters))
        account = name.split(":")[4] if name.startswith("arn:") else DEFAULT_ACCOUNT_ID
        backend = lambda_backends[account][self._region]
        try:
            backend.get_function(name, qualifier)
        except Exception:  # not found, bad ARN: let the real route answer with its error
            return dict(self._http.invoke(**parameters))
        headers = {"x-amz-invocation-type": "RequestResponse"}
        answer_headers: dict[str, str] = {}
        payload = backend.invoke(name, qualifier, parameters.get("Payload") or b"", headers, answer_headers)
        body = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload or b"")
        response: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": qualifier or "$LATEST"}
        if len(body) > _PAYLOAD_LIMIT:
            answer_headers["x-amz-function-error"] = "Unhandled"
            too_large = {"errorMessage": _TOO_LARGE, "errorType": "Function.ResponseSizeTooLarge"}
            body = json.dumps(too_large).encode()
        if answer_headers.get("x-amz-function-error"):
            response["FunctionError"] = answer_headers["x-amz-function-error"]
        response["Payload"] = io.BytesIO(body)
        return response


def _interpreter_client(region: str, service: str, state_credentials: Any = None) -> Any:
    client = _cached_boto_client_for(region, service, state_credentials)
    return _InProcessLambda(region, client) if service == "lambda" else client


def _cached_boto_client_for(region: str, service: str, state_credentials: Any = None) -> BaseClient:
    # Same settings as moto's boto_client_for; its credentials are fixed strings, so they are no key.
    endpoint = "" if botocore_stubber.enabled else f"http://localhost:{moto_server_port()}"
    key = (region, service, endpoint)
    client = _clients.get(key)
    if client is None:
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = boto3.client(
                    service_name=service,
                    region_name=region,
                    aws_access_key_id="ak",
                    aws_secret_access_key="sk",
                    endpoint_url=endpoint or None,
                    config=Config(
                        parameter_validation=False,
                        retries={"max_attempts": 0, "total_max_attempts": 1},
                        connect_timeout=60,
                        read_timeout=99999999,  # moto's "no timeout"; TimeoutSeconds ends tasks
                        max_pool_connections=64,  # parallel branches and Map items share it
                    ),
                )
                _clients[key] = client
    return client


_ext_jsonpath_parse = functools.lru_cache(maxsize=4096)(json_path.parse)
_jsonpath_parse = functools.lru_cache(maxsize=4096)(result_path.parse)


_JSON_ATOMS = (str, int, float, bool, type(None))


def _json_copy(value: Any, memo: Any = None) -> Any:
    """A deep copy of JSON data (dicts, lists, strings, numbers, booleans, null) without deepcopy's
    bookkeeping; anything else is left to copy.deepcopy."""
    kind = type(value)
    if kind is dict:
        return {key: _json_copy(item) for key, item in value.items()}
    if kind is list:
        return [_json_copy(item) for item in value]
    if kind in _JSON_ATOMS:
        return value
    return copy.deepcopy(value, memo)


# What the interpreter's `states` module sees as `copy`: it copies the state's JSON at every step.
_STATES_COPY = types.SimpleNamespace(deepcopy=_json_copy, copy=copy.copy)


_PATCHES: tuple[tuple[Any, str, str, Any], ...] = (
    (asl_parser.AmazonStateLanguageParser, "parse", "parse", staticmethod(_cached_parse)),
    (Program, "__str__", "Program.__str__", _memo_program_text),
    (interpreter_states, "copy", "states.copy", _STATES_COPY),
    (lambda_eval_utils, "boto_client_for", "boto_client_for", _interpreter_client),
    (json_path, "parse", "json_path.parse", _ext_jsonpath_parse),
    (result_path, "parse", "result_path.parse", _jsonpath_parse),
)


_INHERITED = object()


def install() -> None:
    """Apply the caches process-wide; safe to call again."""
    with _lock:
        if _originals:
            return
        for owner, attribute, key, replacement in _PATCHES:
            # A class's raw attribute, so a staticmethod is restored as one; _INHERITED if the
            # class has none of its own (restored by deleting ours).
            if isinstance(owner, type):
                raw = owner.__dict__.get(attribute, _INHERITED)
            else:
                raw = getattr(owner, attribute)
            _originals[key] = raw
            setattr(owner, attribute, replacement)
    moto_responses.install()


def uninstall() -> None:
    """Restore moto's own functions and drop every cached program and client."""
    with _lock:
        for owner, attribute, key, _ in _PATCHES:
            if key in _originals:
                original = _originals.pop(key)
                if original is _INHERITED:
                    delattr(owner, attribute)
                else:
                    setattr(owner, attribute, original)
        _clients.clear()
    moto_responses.uninstall()
    PROGRAMS.clear()
    _ext_jsonpath_parse.cache_clear()
    _jsonpath_parse.cache_clear()
