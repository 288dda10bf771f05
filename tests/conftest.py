"""Shared fixtures. `store` runs each test on SQLite and on PostgreSQL, with the same code.

PostgreSQL: `DRIP_TEST_POSTGRES_URL` (default postgresql://postgres@127.0.0.1:5432/test).
Each test gets a schema of its own, dropped afterwards. When the server cannot be reached the
PostgreSQL variants skip, unless DRIP_REQUIRE_POSTGRES=1 (CI), where they fail.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import browsers
import db_rows
import pg_schema
from drip import store as drip_store
from smtp_sink import SmtpSink

POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(autouse=True)
def _in_an_empty_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in a directory of its own: a drip.toml, a secret key file or an outbox
    folder where pytest was started can change nothing a test sees or leave anything there."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'drip.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new PostgreSQL schema of its own (skips, or fails under DRIP_REQUIRE_POSTGRES=1,
    when the server cannot be reached)."""
    yield from _postgres_schema()


@pytest.fixture
def store(database_url: str) -> Iterator[drip_store.Store]:
    """A migrated Store on each database."""
    db = drip_store.Store(database_url, suppression_key=db_rows.SUPPRESSION_KEY)
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session (Playwright's sync API allows one at a
    time), or a skip (a failure under DRIP_REQUIRE_BROWSER=1) naming what is missing."""
    with browsers.chromium() as launched:
        yield launched


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    """A real SMTP server on loopback (tests/smtp_sink.py), recording what it receives."""
    with SmtpSink() as running:
        yield running


def _postgres_schema() -> Iterator[str]:
    raw = os.environ.get("DRIP_TEST_POSTGRES_URL", POSTGRES_DEFAULT)
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(pg_schema.fresh_schema(raw, prefix="drip_test"))
        except sa.exc.OperationalError as exc:
            reason = f"PostgreSQL not reachable at {raw}: {exc.orig}"
            if os.environ.get("DRIP_REQUIRE_POSTGRES") == "1":
                pytest.fail(reason)
            pytest.skip(reason)
        yield url
