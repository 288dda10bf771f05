"""Acceptance fixtures: the `drip` CLI driven end to end, in-process through click's runner,
against a real database (SQLite and PostgreSQL) and a real SMTP server on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_harness import ROOT, Drip

import db_rows
from smtp_sink import SmtpSink


@pytest.fixture
def drip(
    database_url: str, sink: SmtpSink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Drip:
    monkeypatch.chdir(tmp_path)
    env = {
        "DRIP_DATABASE_URL": database_url,
        "DRIP_SMTP_URL": sink.url,
        "DRIP_SEQUENCES": str(ROOT / "sequences.yaml"),
        "DRIP_TEMPLATES": str(ROOT / "templates" / "emails"),
        "DRIP_SECRET_KEY": "acceptance-secret-key-0123456789abcdef",
        "DRIP_SUPPRESSION_KEY": db_rows.SUPPRESSION_KEY,
        "DRIP_BATCH_SIZE": "7",
    }
    runner = Drip(env=env, sink=sink)
    runner("db", "upgrade")
    return runner
