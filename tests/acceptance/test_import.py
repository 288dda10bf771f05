"""`drip import`: good rows are imported, each bad row is reported by line."""

from __future__ import annotations

import json
from pathlib import Path

from cli_harness import Drip

CSV = """email,name,cause,timezone
ana@example.com,Ana,lumbar-disc-disease,Europe/Lisbon
not-an-email,Bad,muscle-injury,Europe/Lisbon
ben@example.com,Ben,gout,America/New_York
chloe@example.com,Chloé,bone-encroachment,Mars/Olympus
dev@example.com,Dev,not-sure,
ANA@Example.com,Ana again,muscle-injury,Europe/Lisbon
"""


def test_import_reports_each_bad_row_and_imports_the_rest(drip: Drip, tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_text(CSV, encoding="utf-8")
    result = drip("import", str(path), "--now", "2026-12-01T10:00:00Z", code=1)
    lines = result.output.splitlines()
    no_at = "An email address must have an @-sign"
    assert (
        f"{path}:3: 'not-an-email' is not an email address: {no_at} (use e.g. ana@example.com)"
        in lines
    )
    assert any(
        line.startswith(f"{path}:4: 'gout' is not a cause in sequences.yaml") for line in lines
    )
    assert any(
        line.startswith(f"{path}:5: 'Mars/Olympus' is not an IANA time zone") for line in lines
    )
    assert any(line.startswith(f"{path}:7: ") and "already" in line for line in lines)
    assert "imported 2, skipped 4" in lines
    status = json.loads(drip("status", "--json").output)
    assert status["subscribers"]["pending"] == 2
    drip("tick", "--now", "2026-12-01T10:00:00Z")
    assert sorted(r.rcpt_tos[0] for r in drip.sink.messages) == [
        "ana@example.com",
        "dev@example.com",
    ]


def test_import_without_the_required_columns_says_which(drip: Drip, tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_text("email,first\nana@example.com,Ana\n", encoding="utf-8")
    result = drip("import", str(path), code=1)
    assert "missing column(s) name, cause, timezone" in result.output
