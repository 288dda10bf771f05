"""Tracking over real HTTP: off by default (no pixel, no rewritten link); on, every step's
email carries a signed pixel and signed redirects by link id, counted in `drip stats`; the
redirect goes only where drip's own email pointed, never to a URL from the request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from site_harness import site_env
from web_server import WebServer, free_port

from drip import config, tokens
from drip.service import operations, results, subscriptions
from drip.store import tracking as store_tracking
from smtp_sink import Received, SmtpSink

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
BOOKING = "https://winternheimer-chiro.example/book"


@pytest.fixture
def tracked(database_url: str, sink: SmtpSink, tmp_path: Path) -> Iterator[WebServer]:
    port = free_port()
    cfg = config.load({**site_env(database_url, sink, tmp_path, port), "DRIP_TRACKING": "on"})
    operations.upgrade_database(cfg)
    with WebServer(cfg, port=port) as server:
        yield server


def _welcome(server: WebServer, sink: SmtpSink) -> Received:
    app = server.app.state.drip
    subscriptions.subscribe(
        app, email="ana@example.com", first_name="Ana", cause="muscle-injury",
        timezone="Europe/Lisbon", consent=subscriptions.Consent(source="test", text="Yes."),
        confirmed=True, now=NOW,
    )  # fmt: skip
    operations.tick(app.config, at=NOW)
    [received] = sink.wait_for(1)
    return received


def _html(received: Received) -> str:
    part = received.message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def test_off_by_default_an_email_has_no_pixel_and_its_links_are_its_own(
    database_url: str, sink: SmtpSink, tmp_path: Path
) -> None:
    port = free_port()
    cfg = config.load(site_env(database_url, sink, tmp_path, port))
    assert cfg.tracking is False
    operations.upgrade_database(cfg)
    with WebServer(cfg, port=port) as server:
        page = _html(_welcome(server, sink))
        assert f'href="{BOOKING}"' in page
        assert "/r/" not in page and "/o/" not in page


def test_a_tracked_email_is_counted_when_opened_and_clicked(tracked: WebServer, sink) -> None:
    page = _html(_welcome(tracked, sink))
    assert f'href="{BOOKING}"' not in page
    redirects = re.findall(rf'href="({re.escape(tracked.url)}/r/[^"]+)"', page)
    [pixel] = re.findall(rf'<img src="({re.escape(tracked.url)}/o/[^"]+)"', page)
    assert redirects and "/u/" in page  # the unsubscribe link is left as it is
    for link in redirects:
        assert "ana" not in link.lower() and "muscle" not in link
    with httpx.Client(timeout=10) as client:
        image = client.get(pixel)
        assert (image.status_code, image.headers["content-type"]) == (200, "image/gif")
        answer = client.get(redirects[0])
        assert answer.status_code == 303
        assert answer.headers["location"] == BOOKING
        again = client.get(redirects[0] + "?next=https://evil.example/")
        assert again.headers["location"] == BOOKING  # never a URL from the request
    found = results.stats(tracked.app.state.drip.config)
    welcome = next(r for r in found.rows if r.step_id == "welcome")
    assert (welcome.counts.sent, welcome.counts.opened, welcome.counts.clicked) == (1, 1, 1)
    assert found.columns[-2:] == ("opened", "clicked")


def test_only_drip_s_own_signed_links_redirect(tracked: WebServer, sink) -> None:
    page = _html(_welcome(tracked, sink))
    [redirect] = re.findall(rf'{re.escape(tracked.url)}/r/([^"]+)"', page)[:1]
    app = tracked.app.state.drip
    unknown_link = tokens.make(
        app.keys, tokens.Purpose.CLICK, "f" * 32 + ".0123456789abcdef", now=NOW
    )
    an_open = re.findall(rf'{re.escape(tracked.url)}/o/([^"]+)"', page)[0]
    with httpx.Client(base_url=tracked.url, timeout=10) as client:
        for token in (redirect[:-3] + "xyz", unknown_link, an_open, "https:%2F%2Fevil.example"):
            answer = client.get(f"/r/{token}")
            assert answer.status_code == 404, token
            assert "location" not in answer.headers
        assert client.get("/o/not-a-token").status_code == 200  # the same GIF: no oracle
    welcome = next(r for r in results.stats(app.config).rows if r.step_id == "welcome")
    assert (welcome.counts.opened, welcome.counts.clicked) == (0, 0)


def test_the_opt_in_email_is_never_tracked(tracked: WebServer, sink) -> None:
    app = tracked.app.state.drip
    subscriptions.subscribe(
        app, email="ben@example.com", first_name="Ben", cause="not-sure", timezone="UTC",
        consent=subscriptions.Consent(source="test", text="Yes."), confirmed=False, now=NOW,
    )  # fmt: skip
    operations.tick(app.config, at=NOW)
    [received] = sink.wait_for(1)
    page = _html(received)
    assert "/o/" not in page and "/r/" not in page and "/c/" in page


def test_a_link_id_is_the_hash_of_its_url() -> None:
    assert store_tracking.link_id(BOOKING) == store_tracking.link_id(BOOKING)
    assert re.fullmatch(r"[0-9a-f]{16}", store_tracking.link_id(BOOKING))
