"""A long property-based run of both APIs against their OpenAPI documents, on the local platform.

The same checks as the suite's tests/local/fuzz (no 5xx, documented status, content type and
body, no 2xx for a request the document forbids), with many more cases, generated at random
(the suite's are derandomized). Prints one line per operation, then the totals: cases sent,
operations that failed (with the shrunk failing case), and the time taken.

    .venv/bin/python bench/api_fuzz.py [--cases 200] [--api workflow dataplane]   # or: make fuzz
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

# The run shares the suite's fuzzing code and platform fixture, which live under tests/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.local.workflows.platform_client import started_platform
from tests.support.api_fuzz import DOCUMENTS, SigV4RequestAuth, fuzz_operation, operation_labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200, help="generated requests per operation")
    parser.add_argument(
        "--api", nargs="+", choices=sorted(DOCUMENTS), default=sorted(DOCUMENTS, reverse=True)
    )
    args = parser.parse_args(argv)
    failures: list[str] = []
    sent = 0
    with tempfile.TemporaryDirectory() as home, started_platform(Path(home)) as running:
        auth = SigV4RequestAuth(running.platform.state.credentials())
        urls = {"workflow": running.endpoints.workflow_api, "dataplane": running.endpoints.dataplane_api}
        started = time.monotonic()
        print(f"{'api':10} {'operation':48} {'cases':>6} {'seconds':>8}  result")
        for api in args.api:
            for label in operation_labels(api):
                outcome = fuzz_operation(
                    api, label, base_url=urls[api], auth=auth, cases=args.cases, derandomize=False
                )
                sent += outcome.cases
                result = "ok" if outcome.failure is None else "FAILED"
                print(f"{api:10} {label:48} {outcome.cases:6d} {outcome.seconds:8.1f}  {result}", flush=True)
                if outcome.failure is not None:
                    failures.append(f"{api} {label}: {outcome.failure}")
        elapsed = time.monotonic() - started
    print(
        f"\n{sent} cases, {len(failures)} operations failed, {elapsed:.0f} s ({sent / elapsed:.1f} cases/s)"
    )
    for failure in failures:
        print("\n" + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
