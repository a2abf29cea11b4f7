"""The harness's one expected error: a mistake in what it was asked to do."""

from __future__ import annotations


class HarnessError(Exception):
    """A missing file, a bad URL, bad JSON, a manifest that cannot be used: printed as one line, exit 1.

    A failing engine is not a HarnessError: it is a failure in the report.
    """
