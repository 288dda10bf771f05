"""Fixtures for `drip doctor`: a deployment that is healthy in every way the doctor looks at,
on real infrastructure (a migrated SQLite file, an SMTP server with a login, a DNS server with
the clinic's records, all on loopback); each test breaks one thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from doctor_support import DMARC, DOMAIN, PASSWORD, ROOT, SPF, USER, Doctor

import db_rows
import dkim_keys
from dns_zone import DnsZone
from drip import store
from drip.cli import main
from smtp_sink import SmtpSink


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """The clinic's relay: plain SMTP on loopback, with a login."""
    with SmtpSink(users={USER: PASSWORD}) as running:
        yield running


@pytest.fixture
def zone() -> Iterator[DnsZone]:
    """The clinic's DNS: SPF, DMARC and the DKIM key of dkim_keys.rsa_pair() published."""
    records = {
        DOMAIN: [SPF, "google-site-verification=abc"],
        f"_dmarc.{DOMAIN}": [DMARC],
        f"{dkim_keys.SELECTOR}._domainkey.{DOMAIN}": [dkim_keys.rsa_pair().record],
    }
    with DnsZone(records) as running:
        yield running


def key_file(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(0o600)
    return str(path)


@pytest.fixture
def migrated(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'healthy.db'}"
    db = store.Store(url)
    db.upgrade()
    db.dispose()
    return url


@pytest.fixture
def healthy(tmp_path: Path, smtp: SmtpSink, migrated: str) -> dict[str, str]:
    """Every DRIP_* setting a production host would have, pointing at the loopback servers."""
    keys = tmp_path / "keys"
    keys.mkdir()
    return {
        "DRIP_SEQUENCES": str(ROOT / "sequences.yaml"),
        "DRIP_TEMPLATES": str(ROOT / "templates" / "emails"),
        "DRIP_SECRET_KEY_FILE": key_file(keys, "secret.key", "s" * 43),
        "DRIP_SUPPRESSION_KEY_FILE": key_file(keys, "suppression.key", db_rows.SUPPRESSION_KEY),
        "DRIP_DATABASE_URL": migrated,
        "DRIP_SMTP_URL": f"smtp://{USER}:{PASSWORD}@127.0.0.1:{smtp.port}?timeout=5",
        "DRIP_DKIM_SELECTOR": dkim_keys.SELECTOR,
        "DRIP_DKIM_DOMAIN": DOMAIN,
        "DRIP_DKIM_PRIVATE_KEY_FILE": str(dkim_keys.rsa_pair().write(keys)),
    }


@pytest.fixture
def doctor(healthy: dict[str, str], zone: DnsZone) -> Doctor:
    """Runs `drip doctor ARGS…` asking the test's DNS server, with `healthy` plus `settings`
    (a setting given as "" is removed)."""

    def run(*args: str, **settings: str) -> Result:
        env: dict[str, str | None] = {**healthy, **settings}
        env = {key: (value or None) for key, value in env.items()}  # None: unset it
        return CliRunner().invoke(main, ["doctor", "--nameserver", zone.address, *args], env=env)

    return run
