"""The platform log (`<state>/platform.log`): our records and moto's, one short line each.

Handler output goes to CloudWatch Logs (see function_logs.py), not here. moto logs every failed
state-machine task as an ERROR with the whole state dumped (several kilobytes per failed workflow);
here such a record keeps its first line, cut at `MOTO_LINE_CHARS`. The execution watcher writes
the one line per execution ending that says why it ended.
"""

from __future__ import annotations

import logging
from pathlib import Path

MOTO_LINE_CHARS = 300


class _OneLineForMoto(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "moto" or record.name.startswith("moto."):
            text = record.getMessage()
            first = text.splitlines()[0] if text else ""
            if len(first) > MOTO_LINE_CHARS or first != text:
                first = first[:MOTO_LINE_CHARS] + " [...]"
            record.msg, record.args = first, None
            record.exc_info = record.exc_text = None
        return True


class _PlatformLogHandler(logging.FileHandler):
    moto_propagated = True


def route_logs(log_file: Path) -> logging.Handler:
    """Send the medialens and moto loggers to `log_file`, not the terminal; undo with unroute_logs."""
    handler = _PlatformLogHandler(log_file)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.addFilter(_OneLineForMoto())
    medialens_logger = logging.getLogger("medialens")
    medialens_logger.addHandler(handler)
    if medialens_logger.level == logging.NOTSET:
        medialens_logger.setLevel(logging.INFO)
    werkzeug_logger = logging.getLogger("werkzeug")  # one access-log line per moto call
    if werkzeug_logger.level == logging.NOTSET:
        werkzeug_logger.setLevel(logging.WARNING)
    moto_logger = logging.getLogger("moto")
    moto_logger.addHandler(handler)
    handler.moto_propagated = moto_logger.propagate
    moto_logger.propagate = False
    return handler


def unroute_logs(handler: logging.Handler) -> None:
    logging.getLogger("medialens").removeHandler(handler)
    moto_logger = logging.getLogger("moto")
    moto_logger.removeHandler(handler)
    if isinstance(handler, _PlatformLogHandler):
        moto_logger.propagate = handler.moto_propagated
    handler.close()
