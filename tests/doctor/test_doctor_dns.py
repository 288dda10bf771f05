"""The DNS explanations as pure functions of the answers (unit), and the lookups they make,
through the `lookup` port with a fake resolver: never the network."""

from __future__ import annotations

from pathlib import Path

import pytest
from doctor_support import DOMAIN, ROOT

import dkim_keys
from drip import config
from drip.mailer import records, signing
from drip.service import doctor_dns
from drip.service.app import load_plan
from drip.service.doctor_report import Status

SPF_NAME = DOMAIN


def answer(name: str, *texts: str, error: str = "") -> records.Answer:
    return records.Answer(name=name, texts=texts, error=error)


@pytest.mark.parametrize(
    ("texts", "status", "says"),
    [
        ((), Status.WARN, "no record; add a TXT record at winternheimer-chiro.example: "),
        (("v=spf1 include:_spf.relay.example ~all",), Status.OK, "include:_spf.relay.example"),
        (("V=SPF1 -all", "verification=1"), Status.OK, '"V=SPF1 -all"'),
        (("v=spf1 a -all", "v=spf1 mx -all"), Status.WARN, "2 records; receivers treat two"),
        (("v=spf1 +all",), Status.WARN, "it lets any server send as you"),
        (("v=spf1 ip4:1.2.3.4 all",), Status.WARN, "it lets any server send as you"),
        (("v=spf10 -all",), Status.WARN, "no record"),
    ],
)
def test_spf(texts: tuple[str, ...], status: Status, says: str) -> None:
    check = doctor_dns.spf(answer(SPF_NAME, *texts), from_domain=DOMAIN)
    assert check.status is status
    assert check.found.startswith(f"SPF, the servers allowed to send as {DOMAIN}")
    assert says in check.line()


def test_spf_of_another_envelope_domain_says_whose_it_is() -> None:
    check = doctor_dns.spf(answer("bounces.relay.example", "v=spf1 -all"), from_domain=DOMAIN)
    assert check.status is Status.OK
    assert f"(the envelope sender's, not {DOMAIN})" in check.found


@pytest.mark.parametrize(
    ("texts", "status", "says"),
    [
        ((), Status.WARN, "no record; add a TXT record at _dmarc.winternheimer-chiro.example: "),
        (("v=DMARC1; p=none; rua=mailto:d@x",), Status.OK, "p=none: reports only"),
        (("v=DMARC1;p=reject",), Status.OK, "p=reject: failing mail is refused"),
        (("v=DMARC1; rua=mailto:d@x",), Status.WARN, "has no valid p="),
        (("v=DMARC1; p=none", "v=DMARC1; p=reject"), Status.WARN, "2 records (receivers ignore"),
    ],
)
def test_dmarc(texts: tuple[str, ...], status: Status, says: str) -> None:
    check = doctor_dns.dmarc(answer(f"_dmarc.{DOMAIN}", *texts), from_domain=DOMAIN)
    assert check.status is status
    assert says in check.line()


def test_every_unanswered_lookup_is_a_warning_that_says_so() -> None:
    unanswered = answer(DOMAIN, error=records.UNANSWERED + ": no answer within 2 s")
    for check in (
        doctor_dns.spf(unanswered, from_domain=DOMAIN),
        doctor_dns.dmarc(unanswered, from_domain=DOMAIN),
    ):
        assert check.status is Status.WARN
        assert "could not look up (no network?)" in check.found
        assert "give --nameserver" in check.advice


class FakeDns:
    """The lookup port, answering from a dict; records what it was asked."""

    def __init__(self, zone: dict[str, tuple[str, ...]], *, error: str = "") -> None:
        self.zone, self.error = zone, error
        self.asked: list[str] = []

    def __call__(self, name: str) -> records.Answer:
        self.asked.append(name)
        if self.error:
            return answer(name, error=self.error)
        return answer(name, *self.zone.get(name, ()))


@pytest.fixture
def cfg(tmp_path: Path) -> config.Config:
    return config.load(
        {
            "DRIP_SEQUENCES": str(ROOT / "sequences.yaml"),
            "DRIP_TEMPLATES": str(ROOT / "templates" / "emails"),
            "DRIP_SMTP_URL": "smtp://relay.example:587?mail_from=bounce@bounces.clinic.example",
            "DRIP_DKIM_SELECTOR": dkim_keys.SELECTOR,
            "DRIP_DKIM_DOMAIN": DOMAIN,
            "DRIP_DKIM_PRIVATE_KEY_FILE": str(dkim_keys.rsa_pair().write(tmp_path)),
        }
    )


def test_the_lookups_spf_at_the_envelope_domain_dkim_and_dmarc_at_the_from_domain(
    cfg: config.Config,
) -> None:
    assert cfg.dkim is not None
    dns = FakeDns({f"_dmarc.{DOMAIN}": ("v=DMARC1; p=none",)})
    clinic = load_plan(cfg)[0].clinic
    found = doctor_dns.checks(cfg, clinic, signing.signer(cfg.dkim), lookup=dns)
    assert [c.name for c in found] == ["spf", "dkim dns", "dmarc"]
    assert dns.asked == ["bounces.clinic.example", cfg.dkim.record, f"_dmarc.{DOMAIN}"]


def test_a_dmarc_record_of_the_parent_domain_counts(cfg: config.Config) -> None:
    clinic = load_plan(cfg)[0].clinic
    sub = clinic.__class__(**{**clinic.__dict__, "from_address": "tips@mail.news.clinic.example"})
    dns = FakeDns({"_dmarc.clinic.example": ("v=DMARC1; p=quarantine",)})
    found = doctor_dns.checks(cfg, sub, None, lookup=dns)[-1]
    assert found.status is Status.OK
    assert "at _dmarc.clinic.example" in found.found
    assert dns.asked[-3:] == [
        "_dmarc.mail.news.clinic.example",
        "_dmarc.news.clinic.example",
        "_dmarc.clinic.example",
    ]


def test_after_one_unanswered_lookup_no_other_is_tried(cfg: config.Config) -> None:
    dns = FakeDns({}, error=records.UNANSWERED + ": no answer within 2 s")
    found = doctor_dns.checks(cfg, load_plan(cfg)[0].clinic, None, lookup=dns)
    assert len(dns.asked) == 1
    assert all(c.status is Status.WARN and records.UNANSWERED in c.found for c in found)


def test_without_sequences_there_is_no_domain_to_look_up(cfg: config.Config) -> None:
    dns = FakeDns({})
    (only,) = doctor_dns.checks(cfg, None, None, lookup=dns)
    assert only.status is Status.WARN and "not checked" in only.found
    assert dns.asked == []
