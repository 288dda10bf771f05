"""Logging set-up: one line per event, as text or JSON. Never a patient's cause or address."""

from __future__ import annotations

import json
import logging
import sys
from types import TracebackType
from typing import Any

from drip import redact

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def error_of(exc_info: ExcInfo) -> dict[str, Any]:
    """A failure for a log line: the exception's type, its message's first line with any
    address hidden, and where it was raised (module:line in function, innermost last). Not the
    frames' variables nor chained exceptions' text: they may hold a patient's data."""
    kind, exc, tb = exc_info
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return {"type": kind.__name__, "message": redact.addresses(first), "where": _frames(tb)[-8:]}


def _frames(tb: TracebackType | None) -> list[str]:
    where = []
    while tb is not None:
        frame = tb.tb_frame
        module = frame.f_globals.get("__name__", "?")
        where.append(f"{module}:{tb.tb_lineno} in {frame.f_code.co_name}")
        tb = tb.tb_next
    return where


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = error_of(record.exc_info)
        return json.dumps(entry)


class TextFormatter(logging.Formatter):
    """`time LEVEL message`; a failure's traceback follows with addresses hidden."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")

    def formatException(self, ei: Any) -> str:
        return redact.addresses(super().formatException(ei))


def configure(fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # "skipped: maximum number of running instances reached" is the design (max_instances=1)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


def batch(logger: logging.Logger, result: Any) -> None:
    """The one line per batch (a dispatch BatchResult): counts and duration only."""
    logger.info("batch: %s", result.summary(), extra={"fields": result.counts()})
