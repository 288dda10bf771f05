"""DKIM end to end: `drip tick` with the three DKIM settings sends a message that dkimpy verifies
from the bytes the SMTP server received.

Pending until `drip.service.operations` builds its mailers with the DKIM settings
(`mailer.from_settings(cfg.smtp_url, dkim=cfg.dkim)`, in `tick` and in `Worker`): strict, so
that it fails the run the day it passes, and this marker is removed then.
"""

from __future__ import annotations

from pathlib import Path

import dkim
from cli_harness import Drip

import dkim_keys

START = "2026-12-01T10:00:00+00:00"  # a Tuesday, inside the send window
DOMAIN = "winternheimer-chiro.example"


def test_drip_tick_sends_signed_mail_that_verifies(drip: Drip, tmp_path: Path) -> None:
    pair = dkim_keys.rsa_pair()
    drip.env.update(
        DRIP_DKIM_SELECTOR=dkim_keys.SELECTOR,
        DRIP_DKIM_DOMAIN=DOMAIN,
        DRIP_DKIM_PRIVATE_KEY_FILE=str(pair.write(tmp_path)),
    )
    drip("subscribe", "ana@example.com", "--cause", "muscle-injury", "--now", START)
    drip("tick", "--now", START)
    [received] = drip.sink.messages
    record = f"{dkim_keys.SELECTOR}._domainkey.{DOMAIN}."

    def published(name: bytes, timeout: float = 5) -> bytes:
        return pair.record.encode() if name.decode() == record else b""

    assert received.data.startswith(b"DKIM-Signature: "), received.data[:60]
    assert dkim.verify(received.data, dnsfunc=published)
