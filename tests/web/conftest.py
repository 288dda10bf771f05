"""The web app as a patient meets it: `drip serve`'s app on a real HTTP server on loopback,
the real dispatcher sending to a real SMTP server, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from site_harness import Site, site_env
from web_server import WebServer, free_port

from drip import config
from drip.service import operations
from smtp_sink import SmtpSink


@pytest.fixture
def site(database_url: str, sink: SmtpSink, tmp_path: Path) -> Iterator[Site]:
    port = free_port()
    cfg = config.load(site_env(database_url, sink, tmp_path, port))
    operations.upgrade_database(cfg)
    with WebServer(cfg, port=port) as server:
        yield Site(cfg=cfg, server=server, sink=sink)
