"""The use cases, opened on each database (SQLite, PostgreSQL) with the committed content."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import db_rows
from drip import config
from drip.service import app as app_module

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(database_url: str) -> Iterator[app_module.App]:
    cfg = config.load(
        {
            "DRIP_DATABASE_URL": database_url,
            "DRIP_SEQUENCES": str(ROOT / "sequences.yaml"),
            "DRIP_TEMPLATES": str(ROOT / "templates" / "emails"),
            "DRIP_SECRET_KEY": "service-test-secret-key-0123456789abcdef",
            "DRIP_SUPPRESSION_KEY": db_rows.SUPPRESSION_KEY,
        }
    )
    with app_module.open_app(cfg) as opened:
        opened.store.upgrade()
        yield opened
