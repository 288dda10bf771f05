"""One Outbox contract, three backends: the in-memory fake, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from outbox_world import MemoryWorld, SqlWorld, World

import db_rows
from drip import store


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    if request.param == "memory":
        yield MemoryWorld()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'drip.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    db = store.Store(url, suppression_key=db_rows.SUPPRESSION_KEY)
    db.upgrade()
    yield SqlWorld(db)
    db.dispose()
