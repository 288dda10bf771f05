"""The web app as a patient meets it: `drip serve`'s app on a real HTTP server on loopback,
the real dispatcher sending to a real SMTP server, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from site_harness import Site
from web_server import WebServer, free_port

import db_rows
from always_open import TEMPLATES, sequences_in
from drip import config
from drip.service import operations
from smtp_sink import SmtpSink

REPO = Path(__file__).resolve().parents[2]


def site_env(database_url: str, sink: SmtpSink, folder: Path, port: int) -> dict[str, str]:
    return {
        "DRIP_DATABASE_URL": database_url,
        "DRIP_SMTP_URL": sink.url,
        "DRIP_SEQUENCES": str(sequences_in(folder)),  # every hour is in the window
        "DRIP_TEMPLATES": str(TEMPLATES),
        "DRIP_WEB_TEMPLATES": str(REPO / "templates" / "web"),
        "DRIP_SECRET_KEY": "web-test-secret-key-0123456789abcdefghij",
        "DRIP_SUPPRESSION_KEY": db_rows.SUPPRESSION_KEY,
        "DRIP_BASE_URL": f"http://127.0.0.1:{port}",
        "DRIP_ALLOWED_ORIGINS": "https://www.clinic.example",
        # The tests jump the clock days at a time, as if drip had sent on time all along: the
        # stale-step guard (tests/service/test_dispatch.py) would move each jumped-over step.
        "DRIP_STALE_AFTER": "0",
    }


@pytest.fixture
def site(database_url: str, sink: SmtpSink, tmp_path: Path) -> Iterator[Site]:
    port = free_port()
    cfg = config.load(site_env(database_url, sink, tmp_path, port))
    operations.upgrade_database(cfg)
    with WebServer(cfg, port=port) as server:
        yield Site(cfg=cfg, server=server, sink=sink)
