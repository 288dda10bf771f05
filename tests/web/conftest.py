"""The web app as a patient meets it: `drip serve`'s app on a real HTTP server on loopback,
the real dispatcher sending to a real SMTP server, on SQLite and PostgreSQL. `site`: the app in
a thread of the test (fast HTTP tests); `served`: the real `drip serve` and `drip tick`
commands in subprocesses (the browser tests, the limits across processes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from drip_process import ServedSite, served_site
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


@pytest.fixture
def served(database_url: str, sink: SmtpSink, tmp_path: Path) -> Iterator[ServedSite]:
    with served_site(database_url, sink, tmp_path) as running:
        yield running
