"""Bytes that are not UTF-8 in an argument or a setting: one clear line, exit 2, nothing stored.

Run as a real process, because the bytes are the point: Python turns them into lone surrogates
that no database, file or email can carry."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import ROOT

import db_rows

COMMAND = (sys.executable, "-c", "from drip.cli import main; main()")


@pytest.fixture
def env(tmp_path: Path) -> dict[bytes, bytes]:
    settings = {
        "DRIP_SEQUENCES": str(ROOT / "sequences.yaml"),
        "DRIP_TEMPLATES": str(ROOT / "templates" / "emails"),
        "DRIP_SECRET_KEY": "cli-test-secret-key-0123456789abcdef",
        "DRIP_SUPPRESSION_KEY": db_rows.SUPPRESSION_KEY,
        "DRIP_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}",
        "DRIP_SMTP_URL": f"file://{tmp_path / 'outbox'}",
        "PATH": os.environ.get("PATH", ""),
    }
    return {k.encode(): v.encode() for k, v in settings.items()}


def drip(
    *args: bytes | str, env: dict[bytes, bytes], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
        timeout=60,
    )


def subscribers(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "d.db") as conn:
        (count,) = conn.execute("SELECT count(*) FROM subscribers").fetchone()
    return int(count)


@pytest.mark.parametrize(
    "args",
    [
        (b"subscribe", b"ana@example.com", b"--name", b"An\xffa", b"--cause", b"muscle-injury"),
        (b"subscribe", b"\xff@example.com", b"--cause", b"muscle-injury"),
        (b"confirm", b"https://clinic.example/c/ab\xffc"),
    ],
    ids=["name", "address", "link"],
)
def test_an_argument_that_is_not_utf8_is_refused_before_anything_is_stored(
    args: tuple[bytes, ...], env: dict[bytes, bytes], tmp_path: Path
) -> None:
    assert drip("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    result = drip(*args, env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "is not UTF-8 text" in result.stderr and "\\xff" in result.stderr
    assert "Traceback" not in result.stderr
    assert subscribers(tmp_path) == 0


def test_a_setting_that_is_not_utf8_is_refused_and_named(
    env: dict[bytes, bytes], tmp_path: Path
) -> None:
    assert drip("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    bad = {**env, b"DRIP_BASE_URL": b"https://clinic\xff.example"}
    result = drip("subscribe", "ana@example.com", "--cause", "muscle-injury", env=bad, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "DRIP_BASE_URL: 'https://clinic\\xff.example' is not UTF-8 text" in result.stderr
    assert "Traceback" not in result.stderr
    assert subscribers(tmp_path) == 0
