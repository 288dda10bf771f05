"""drip's log lines: a failure keeps its type, message and place, never an address."""

from __future__ import annotations

import io
import json
import logging

import pytest

from drip import logs


def record_of(fmt: str, raise_: BaseException) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter() if fmt == "json" else logs.TextFormatter())
    logger = logging.getLogger(f"drip.test-logs.{fmt}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    try:
        raise raise_
    except type(raise_):
        logger.exception("job dispatch raised an exception")
    return stream.getvalue()


def test_a_json_line_names_the_exception_its_message_and_where_it_was_raised() -> None:
    error = ValueError("bad row for ana@example.com\nsecond line with ben@example.com")
    text = record_of("json", error)
    assert text.count("\n") == 1, "one line per event"
    entry = json.loads(text)
    assert entry["level"] == "error" and entry["message"] == "job dispatch raised an exception"
    assert entry["error"]["type"] == "ValueError"
    assert entry["error"]["message"] == "bad row for <address>"
    [where] = entry["error"]["where"]  # module:line in function, not a file path
    module, line_number, function = where.replace(" in ", ":").split(":")
    assert (module, function) == (__name__, "record_of") and int(line_number) > 0
    assert "example.com" not in text


def test_a_json_line_without_a_failure_has_no_error_field() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    record = logging.LogRecord("drip", logging.INFO, __file__, 1, "batch: %s", ("ok",), None)
    assert "error" not in json.loads(handler.format(record))


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_address_reaches_the_line_whatever_the_format(fmt: str) -> None:
    line = record_of(fmt, RuntimeError("550 <ana@example.com>: unknown"))
    assert "ana@example.com" not in line
    assert "RuntimeError" in line
