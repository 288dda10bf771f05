"""Database errors in any command: one clear line, exit 2, no traceback, no password, no SQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import Drip, assert_clean_failure

from drip import logs

COMMANDS = (
    ("status",),
    ("subscribe", "ana@example.com", "--cause", "muscle-injury"),
    ("tick", "--now", "2026-12-03T09:30:00Z"),
)


@pytest.mark.parametrize("args", COMMANDS)
def test_a_sqlite_file_in_a_missing_folder(drip: Drip, tmp_path: Path, args: tuple[str]) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'd.db'}"
    result = drip(*args, DRIP_DATABASE_URL=url)
    assert_clean_failure(result, 2, "DRIP_DATABASE_URL", "cannot open the database", "folder")
    assert len(result.output.strip().splitlines()) == 1


def test_an_unreachable_postgresql_hides_the_password(drip: Drip) -> None:
    result = drip("status", DRIP_DATABASE_URL="postgresql://postgres:s3cret@127.0.0.1:1/x")
    assert_clean_failure(result, 2, "postgres:***@127.0.0.1:1/x", "cannot use the database")
    assert "s3cret" not in result.output


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("foo://", "drip knows no database of that kind"),
        ("mysql://u:s3cret@db/x", "its driver 'MySQLdb' is not installed"),
        ("foo bar://u:s3cret@db/x", "Could not parse"),
        ("postgresql://u:s3cret@db:port/x", "port that is not a number"),
    ],
)
def test_a_url_drip_cannot_use(drip: Drip, url: str, complaint: str) -> None:
    result = drip("status", DRIP_DATABASE_URL=url)
    assert_clean_failure(result, 2, "DRIP_DATABASE_URL", complaint)
    assert "s3cret" not in result.output


@pytest.mark.parametrize("args", COMMANDS)
def test_a_database_never_upgraded_says_what_to_run(drip: Drip, args: tuple[str]) -> None:
    result = drip(*args)
    assert_clean_failure(result, 2, "the database has no drip tables: run `drip db upgrade`")
    assert "[SQL" not in result.output and "parameters" not in result.output


def test_a_database_never_upgraded_on_each_database(drip: Drip, database_url: str) -> None:
    result = drip("status", DRIP_DATABASE_URL=database_url)
    assert_clean_failure(result, 2, "the database has no drip tables: run `drip db upgrade`")


def test_the_daemon_refuses_to_start_on_a_database_without_tables(
    drip: Drip, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "configure", lambda fmt: None)  # keep pytest's own log handlers
    result = drip("run")
    assert_clean_failure(result, 2, "the database has no drip tables: run `drip db upgrade`")
