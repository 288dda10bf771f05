"""drip.mailer.records, the dnspython adapter, against a real DNS server on loopback; and the
SMTP probe with STARTTLS and AUTH (the CLI tests cover plain SMTP)."""

from __future__ import annotations

import time

import pytest
from doctor_support import DOMAIN, ROOT

from dns_zone import DnsZone
from drip import errors
from drip.mailer import records
from drip.service import doctor
from smtp_sink import SelfSignedTls, SmtpSink


def test_txt_records_come_back_whole_even_when_dns_splits_them() -> None:
    long = "v=DKIM1; k=rsa; p=" + "A" * 600  # sent as three character-strings
    with DnsZone({"s._domainkey.clinic.example": [long], "clinic.example": ["a", "b"]}) as zone:
        lookup = records.resolver(zone.address)
        assert lookup("s._domainkey.clinic.example").texts == (long,)
        assert sorted(lookup("clinic.example").texts) == ["a", "b"]


def test_a_name_that_does_not_exist_has_no_records_and_no_error() -> None:
    with DnsZone({}) as zone:
        assert records.resolver(zone.address)("_dmarc.clinic.example") == records.Answer(
            name="_dmarc.clinic.example"
        )


def test_a_server_that_never_answers_is_unanswered_within_the_timeout() -> None:
    with DnsZone(silent=True) as zone:
        started = time.monotonic()
        found = records.resolver(zone.address, timeout=0.3)("clinic.example")
        took = time.monotonic() - started
    assert found.texts == () and found.error.startswith("could not look up (no network?)")
    assert took < 2


@pytest.mark.parametrize("nameserver", ["dns.example", "1.1.1.1:99999", "1.1.1.1:x", ""])
def test_a_nameserver_must_be_an_address_and_port(nameserver: str) -> None:
    with pytest.raises(errors.UsageError, match="give a name server's IP address"):
        records.resolver(nameserver)


@pytest.mark.parametrize("nameserver", ["1.1.1.1", "127.0.0.1:5353", "::1", "[::1]:5353"])
def test_nameservers_as_operators_write_them(nameserver: str) -> None:
    assert callable(records.resolver(nameserver))  # nothing is asked until a lookup


def test_the_smtp_check_does_starttls_and_auth_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tls = SelfSignedTls.create()
    with SmtpSink(tls=tls, users={"clinic": "p@ss"}) as secure, DnsZone({}) as zone:
        port = secure.port
        url = f"smtp://clinic:p%40ss@127.0.0.1:{port}?starttls=true"
        monkeypatch.setenv("DRIP_SMTP_URL", url)
        monkeypatch.setenv("DRIP_SEQUENCES", str(ROOT / "sequences.yaml"))
        monkeypatch.setenv("DRIP_TEMPLATES", str(ROOT / "templates" / "emails"))
        report = doctor.run(nameserver=zone.address, ssl_context=tls.client_context)
        untrusted = doctor.run(nameserver=zone.address)  # the system's CAs: not the test's
        assert secure.messages == []
    (smtp,) = [c for c in report.checks if c.name == "smtp"]
    assert smtp.status is doctor.Status.OK, smtp.line()
    assert smtp.found == (
        f"127.0.0.1:{port}: connected, STARTTLS, logged in as clinic, QUIT; no message sent"
    )
    (refused,) = [c for c in untrusted.checks if c.name == "smtp"]
    assert refused.status is doctor.Status.FAIL and "certificate not trusted" in refused.found
    assert zone.asked[0] == DOMAIN
