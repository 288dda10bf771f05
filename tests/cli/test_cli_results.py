"""`drip stats` and `drip lookup` as staff run them, on a database the CLI itself filled."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import Drip

NOW = "2026-12-07T15:00:00Z"  # Monday: 09:00 in Chicago, 15:00 in Lisbon


def _filled(drip: Drip) -> None:
    for args in (
        ("db", "upgrade"),
        ("subscribe", "ana@example.com", "--name", "Ana", "--cause", "muscle-injury",
         "--tz", "Europe/Lisbon", "--confirmed", "--now", NOW),
        ("subscribe", "ben@example.com", "--cause", "not-sure", "--tz", "Europe/Lisbon",
         "--confirmed", "--now", NOW),
        ("tick", "--now", NOW),
        ("unsubscribe", "ben@example.com", "--now", "2026-12-07T16:00:00Z"),
    ):  # fmt: skip
        result = drip(*args)
        assert result.exit_code == 0, (args, result.output)


def test_stats_as_a_table_csv_and_a_page(drip: Drip, tmp_path: Path) -> None:
    _filled(drip)
    table = drip("stats")
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].split() == ["step", "sent", "failed", "bounced", "suppressed", "unsubscribed"]
    assert lines[1].split() == ["muscle-injury", "/", "welcome", "1", "0", "0", "0", "0"]
    assert lines[-1] == "opens and clicks are not tracked (DRIP_TRACKING=off)"
    csv = drip("stats", "--csv").output.splitlines()
    assert csv[0] == "sequence,step,sent,failed,bounced,suppressed,unsubscribed"
    assert "not-sure,welcome,1,0,0,0,1" in csv
    page = drip("stats", "--html", "stats-out")
    assert page.exit_code == 0 and page.output == f"wrote {Path('stats-out') / 'index.html'}\n"
    html = (tmp_path / "stats-out" / "index.html").read_text(encoding="utf-8")
    assert "<svg" in html and "ana" not in html.lower()


def test_lookup_a_patient_and_one_drip_does_not_know(drip: Drip) -> None:
    _filled(drip)
    shown = drip("lookup", "ana@example.com")
    assert shown.exit_code == 0, shown.output
    assert "cause: muscle-injury" in shown.output
    assert "muscle-injury/welcome  sent" in shown.output
    data = json.loads(drip("lookup", "ben@example.com", "--json").output)
    assert (data["subscriber"]["state"], data["suppressed"]) == ("unsubscribed", "unsubscribed")
    unknown = drip("lookup", "cy@example.com")
    assert unknown.exit_code == 1
    assert unknown.output == "cy@example.com: no subscriber with this address\n"
