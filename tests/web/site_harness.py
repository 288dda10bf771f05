"""What the web tests do as a patient, a mail provider and the daemon would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from web_server import WebServer

import db_rows
from always_open import TEMPLATES, sequences_in
from drip import config, store
from drip.service import dispatch, operations
from smtp_sink import Received, SmtpSink

REPO = Path(__file__).resolve().parents[2]

SIGN_UP = {
    "email": "ana@example.com",
    "first_name": "Ana",
    "cause": "muscle-injury",
    "timezone": "Europe/Lisbon",
    "consent": "yes",
}


def site_env(database_url: str, sink: SmtpSink, folder: Path, port: int) -> dict[str, str]:
    """The web tests' settings: the web app on `port`, sending to `sink`."""
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


@dataclass
class Site:
    cfg: config.Config
    server: WebServer
    sink: SmtpSink

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def db(self) -> store.Store:
        found: store.Store = self.server.app.state.drip.store
        return found

    def browser_like(self) -> httpx.Client:
        """An HTTP client as a browser on our own pages is: it says where its posts come from."""
        return httpx.Client(base_url=self.url, headers={"origin": self.url}, timeout=10)

    def tick(self, at: datetime | None = None) -> dispatch.BatchResult:
        """One dispatch pass, the real dispatcher sending to the SMTP sink."""
        return operations.tick(self.cfg, at=at)

    def sign_up(self, client: httpx.Client, **changes: str) -> httpx.Response:
        token = form_token(client.get("/").text)
        return client.post("/subscribe", data={**SIGN_UP, **changes, "form_token": token})

    def subscriber(self, email: str = "ana@example.com") -> store.Subscriber | None:
        return self.db.subscriber_by_email(email)

    def mails_to(self, email: str) -> list[Received]:
        return [m for m in self.sink.messages if email in m.rcpt_tos]


def form_token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, "no form token in the page"
    return found.group(1)


def link(message: Received, kind: str) -> str:
    """The first /c/, /u/ or /p/ link in a message's text part."""
    body = message.message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(rf"https?://\S+/{kind}/[\w.-]+", body.get_content())
    assert found, f"no /{kind}/ link in the message"
    return found.group(0)


def path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def raw_header(message: Received, name: str) -> str:
    """A header exactly as it arrived (one physical line), not re-parsed."""
    head = message.data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    [line] = [raw for raw in head.split("\r\n") if raw.startswith(f"{name}:")]
    return line.partition(":")[2].strip()
