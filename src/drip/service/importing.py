"""Importing patients from a CSV file: good rows are imported, each bad row is reported by line.

Columns (a header row is required, extra columns are ignored): email, name, cause, timezone.
Each row is subscribed like `drip subscribe` (pending with the opt-in email, unless
`confirmed`). A row's problem never stops the rest, and never leaves half a subscriber behind.
"""

from __future__ import annotations

import csv
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
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.InvalidInput(f"{path}: cannot read it as UTF-8 text ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise errors.InvalidInput(
            f"{path}:1: missing column(s) {', '.join(missing)} (the header must name "
            f"{','.join(REQUIRED)})"
        )
    reader.fieldnames = header
    report = ImportReport()
    for row in reader:
        line = reader.line_num
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
    return report
