"""Importing patients from a CSV file: good rows are imported, each bad row is reported by line.

Columns (a header row is required, extra columns are ignored): email, name, cause, timezone.
Each row is subscribed like `drip subscribe` (pending with the opt-in email, unless
`confirmed`). A row's problem never stops the rest, and never leaves half a subscriber behind.

Rows are checked in Python as `subscriptions.subscribe` checks them (the same errors, in the
same order), then written BATCH rows to a transaction (`Store.add_subscribers`): one
transaction per row made an import of 100,000 patients take minutes.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from drip import contacts, errors, store
from drip.service import subscriptions
from drip.service.app import App

REQUIRED = ("email", "name", "cause", "timezone")
CONSENT_IMPORT = "Consent recorded by the clinic before import (drip import)."
BATCH = 5_000  # rows per transaction: a failed batch is retried row by row


@dataclass(frozen=True, kw_only=True)
class RowProblem:
    line: int
    message: str


@dataclass(kw_only=True)
class ImportReport:
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def import_csv(app: App, path: Path, *, confirmed: bool, now: datetime) -> ImportReport:
    # Rows end at CR/LF only: str.splitlines() would also cut at U+2028 or U+0085 inside a
    # name, making two rows of one and miscounting every line after it.
    reader = csv.DictReader(io.StringIO(_read(path), newline=""))
    try:
        header = [h.strip().lower() for h in reader.fieldnames or []]
    except csv.Error as exc:
        raise errors.InvalidInput(f"{path}:1: {_csv_problem(exc)}") from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise errors.InvalidInput(
            f"{path}:1: missing column(s) {', '.join(missing)} (the header must name "
            f"{','.join(REQUIRED)})"
        )
    reader.fieldnames = header
    report = ImportReport()
    check = _Checker(app, confirmed=confirmed, now=now)
    consent = subscriptions.Consent(source="import", text=CONSENT_IMPORT)
    for rows, problems in _batches(reader, check):
        refusals = app.store.add_subscribers(
            [new for _, new in rows], consent=consent, confirmed=confirmed, now=now
        )
        for (line, _), refused in zip(rows, refusals, strict=True):
            if refused is None:
                report.imported += 1
            else:
                problems.append(RowProblem(line=line, message=str(refused)))
        report.problems.extend(sorted(problems, key=lambda p: p.line))
    return report


def _batches(
    reader: csv.DictReader[str], check: _Checker
) -> Iterator[tuple[list[tuple[int, store.NewSubscriber]], list[RowProblem]]]:
    """BATCH good rows at a time (by line), with the problems of the lines among them."""
    rows: list[tuple[int, store.NewSubscriber]] = []
    problems: list[RowProblem] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a field over the csv module's size limit
            # DictReader.line_num is only updated by a successful row: ask its reader.
            problems.append(RowProblem(line=reader.reader.line_num, message=_csv_problem(exc)))
            continue
        try:
            rows.append((reader.line_num, check(row)))
        except errors.DripError as exc:
            problems.append(RowProblem(line=reader.line_num, message=str(exc)))
        if len(rows) >= BATCH:
            yield rows, problems
            rows, problems = [], []
    if rows or problems:
        yield rows, problems


class _Checker:
    """A row checked as `subscriptions.subscribe` checks it, in its order: time zone, cause,
    address, name; what to queue is worked out once per (cause, time zone)."""

    def __init__(self, app: App, *, confirmed: bool, now: datetime) -> None:
        self._app, self._confirmed, self._now = app, confirmed, now
        self._causes: dict[str, str] = {}
        self._starts: dict[tuple[str, str], store.Start | None] = {}

    def __call__(self, row: dict[str, str]) -> store.NewSubscriber:
        zone = _timezone((row.get("timezone") or "").strip() or self._app.plan.clinic.timezone)
        cause = self._cause((row.get("cause") or "").strip())
        email = contacts.normalise((row.get("email") or "").strip())
        first_name = contacts.first_name((row.get("name") or "").strip())
        return store.NewSubscriber(
            email=email, first_name=first_name, cause=cause, timezone=zone,
            start=self._start(cause, zone),
        )  # fmt: skip

    def _cause(self, slug: str) -> str:
        if slug not in self._causes:
            self._causes[slug] = subscriptions.check_cause(self._app.plan, slug)
        return self._causes[slug]

    def _start(self, cause: str, zone: str) -> store.Start | None:
        if (cause, zone) not in self._starts:
            self._starts[cause, zone] = subscriptions.start_for(
                self._app, cause, zone, confirmed=self._confirmed, now=self._now
            )
        return self._starts[cause, zone]


@functools.cache
def _timezone(name: str) -> str:
    return subscriptions.check_timezone(name)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise errors.InvalidInput(
            f"{path}: not UTF-8 text (byte {exc.start}); save it as CSV (UTF-8) with the "
            f"columns {','.join(REQUIRED)}"
        ) from None
    except OSError as exc:
        raise errors.InvalidInput(f"{path}: cannot read it ({exc.strerror or exc})") from None


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"a field is longer than {csv.field_size_limit():,} characters: is this a CSV file?"
    return f"not readable as CSV ({exc})"
