"""Importing patients from a CSV file: good rows are imported, each bad row is reported by line.

Columns (a header row is required, extra columns are ignored): email, name, cause, timezone.
Each row is subscribed like `drip subscribe` (pending with the opt-in email, unless
`confirmed`). A row's problem never stops the rest, and never leaves half a subscriber behind.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from drip import errors
from drip.service import subscriptions
from drip.service.app import App

REQUIRED = ("email", "name", "cause", "timezone")
CONSENT_IMPORT = "Consent recorded by the clinic before import (drip import)."


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
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return report
        except csv.Error as exc:  # e.g. a field over the csv module's size limit
            # DictReader.line_num is only updated by a successful row: ask its reader.
            line = reader.reader.line_num
            report.problems.append(RowProblem(line=line, message=_csv_problem(exc)))
            continue
        _import_row(app, row, reader.line_num, report, confirmed=confirmed, now=now)


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


def _import_row(
    app: App,
    row: dict[str, str],
    line: int,
    report: ImportReport,
    *,
    confirmed: bool,
    now: datetime,
) -> None:
    try:
        subscriptions.subscribe(
            app,
            email=(row.get("email") or "").strip(),
            first_name=(row.get("name") or "").strip(),
            cause=(row.get("cause") or "").strip(),
            timezone=(row.get("timezone") or "").strip() or None,
            consent=subscriptions.Consent(source="import", text=CONSENT_IMPORT),
            confirmed=confirmed,
            now=now,
        )
    except errors.DripError as exc:
        report.problems.append(RowProblem(line=line, message=str(exc)))
    else:
        report.imported += 1


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"a field is longer than {csv.field_size_limit():,} characters: is this a CSV file?"
    return f"not readable as CSV ({exc})"
