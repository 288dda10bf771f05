"""The `drip` CLI driven in-process through click's runner, to see what a user sees on a mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import ROOT, Drip
from click.testing import CliRunner, Result

import db_rows
from drip.cli import main


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A working environment: the committed sequences and templates, SQLite in tmp_path."""
    return {
        "DRIP_SEQUENCES": str(ROOT / "sequences.yaml"),
        "DRIP_TEMPLATES": str(ROOT / "templates" / "emails"),
        "DRIP_SECRET_KEY": "cli-test-secret-key-0123456789abcdef",
        "DRIP_SUPPRESSION_KEY": db_rows.SUPPRESSION_KEY,
        "DRIP_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}",
        "DRIP_SMTP_URL": f"file://{tmp_path / 'outbox'}",
    }


@pytest.fixture
def drip(env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Drip:
    """Runs `drip ARGS…` with `env` (plus `extra` settings) in tmp_path; never re-raises."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str, **extra: str) -> Result:
        return CliRunner().invoke(main, list(args), env={**env, **extra})

    return run
