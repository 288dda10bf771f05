"""Logging set-up: one line per event, as text or JSON. Never a patient's cause or address."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry)


def configure(fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # "skipped: maximum number of running instances reached" is the design (max_instances=1)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


def batch(logger: logging.Logger, result: Any) -> None:
    """The one line per batch (a dispatch BatchResult): counts and duration only."""
    logger.info("batch: %s", result.summary(), extra={"fields": result.counts()})
