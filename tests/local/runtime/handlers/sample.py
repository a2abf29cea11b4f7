"""Small Lambda handlers the runtime tests run in real worker processes."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

_calls = 0  # module state survives between warm invocations, as on Lambda
# A slow import (a large model, say) when set: the worker-start tests need one.
time.sleep(float(os.environ.get("SAMPLE_IMPORT_SECONDS", "0")))


class TransientError(Exception):
    """Raised on purpose so Step Functions Retry can match the class name."""


class PermanentError(Exception):
    """Raised on purpose so Step Functions Catch can match the class name."""


def echo(event: Any, context: Any) -> Any:
    print("echo got", json.dumps(event))
    return {
        "event": event,
        "function_name": context.function_name,
        "request_id": context.aws_request_id,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "arn": context.invoked_function_arn,
        "greeting": os.environ.get("GREETING"),
        "pid": os.getpid(),
    }


def count(event: Any, context: Any) -> Any:
    global _calls
    _calls += 1
    return {"calls": _calls, "pid": os.getpid()}


def fail(event: Any, context: Any) -> Any:
    raise TransientError(f"failed on {event.get('what', 'nothing')}")


def sleep(event: Any, context: Any) -> Any:
    time.sleep(float(event.get("seconds", 0)))
    return {"slept": event.get("seconds", 0), "pid": os.getpid()}


def crash(event: Any, context: Any) -> Any:
    if "signal" in event:
        os.kill(os.getpid(), int(event["signal"]))
    os._exit(int(event.get("code", 3)))


def unserialisable(event: Any, context: Any) -> Any:
    return {"a set": {1, 2}}


def flaky(event: Any, context: Any) -> Any:
    """Fails with TransientError until it has been called `fail_times` times (counted on disk)."""
    marker = Path(os.environ["RECORD_DIR"]) / f"flaky-{event['key']}"
    attempts = int(marker.read_text()) + 1 if marker.exists() else 1
    marker.write_text(str(attempts))
    if event.get("permanent"):
        raise PermanentError(f"gave up on {event['key']}")
    if attempts <= int(event.get("fail_times", 0)):
        raise TransientError(f"attempt {attempts} failed")
    return {"key": event["key"], "attempts": attempts}


def record(event: Any, context: Any) -> Any:
    """Appends the event to $RECORD_DIR/<function>.jsonl; fails if the event asks for it."""
    path = Path(os.environ["RECORD_DIR"]) / f"{context.function_name}.jsonl"
    with path.open("a") as handle:
        handle.write(json.dumps(event) + "\n")
    bodies = [r.get("body", "") for r in event.get("Records", []) if isinstance(r, dict)]
    if any("fail-once" in body for body in bodies) and path.read_text().count("fail-once") == 1:
        raise TransientError("first delivery fails")
    return {"ok": True}


def api(event: Any, context: Any) -> Any:
    """An API Gateway proxy handler: echoes the request, or misbehaves on request."""
    path = event["path"]
    if path == "/boom":
        raise RuntimeError("boom")
    if path == "/malformed":
        return {"no": "statusCode"}
    if path == "/binary":
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "image/png"},
            "body": "iVBORw0K",
            "isBase64Encoded": True,
        }
    body = {
        "path": path,
        "method": event["httpMethod"],
        "query": event["queryStringParameters"],
        "multi_query": event["multiValueQueryStringParameters"],
        "body": event["body"],
        "identity": event["requestContext"]["identity"],
        "stage": event["requestContext"]["stage"],
    }
    return {
        "statusCode": 201 if event["httpMethod"] == "POST" else 200,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"X-Multi": ["a", "b"]},
        "body": json.dumps(body),
    }
