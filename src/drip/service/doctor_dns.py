"""`drip doctor`'s DNS checks: the records receivers look up before they trust the clinic's mail.

- SPF (RFC 7208), a TXT record `v=spf1 …` at the envelope sender's domain: the servers allowed
  to send for it;
- DKIM (RFC 6376), a TXT record `v=DKIM1; k=rsa; p=…` at `<selector>._domainkey.<domain>`: the
  public key receivers verify drip's signatures with (checked only when drip signs);
- DMARC (RFC 7489), a TXT record `v=DMARC1; p=…` at `_dmarc.<From domain>` (or at a parent
  domain): what receivers do with mail that passes neither SPF nor DKIM for the From domain.
  Gmail and Yahoo ask every bulk sender for all three.

Each is explained (what it is, what was found, what to add) and never fails `drip doctor`:
DNS is the clinic's, and may be managed by whoever runs their domain. The explanations are pure
functions of the answers; `checks` asks the `lookup` port, and after one lookup that got no
answer asks no more (no network: each would wait for the timeout).
"""

from __future__ import annotations

from drip import config, contacts, sequences
from drip.mailer import records, signing
from drip.service.doctor_report import Check

SPF_EXAMPLE = '"v=spf1 include:<your relay\'s SPF domain> ~all" (its documentation names it)'
_POLICIES = {
    "none": "reports only, acts on nothing",
    "quarantine": "failing mail goes to spam",
    "reject": "failing mail is refused",
}


def checks(
    cfg: config.Config,
    clinic: sequences.Clinic | None,
    signer: signing.Signer | None,
    *,
    lookup: records.Lookup,
) -> tuple[Check, ...]:
    sender = contacts.domain(clinic.from_address) if clinic else ""
    if not sender:
        why = "not checked: the sending domain is sequences.yaml's clinic.from, which did not load"
        return (Check.warn("dns", why),)
    ask = _until_unanswered(lookup)
    envelope = _envelope_domain(cfg) or sender
    found = [spf(ask(envelope), from_domain=sender)]
    if cfg.dkim is not None:
        found.append(dkim_key(ask(cfg.dkim.record), cfg.dkim, signer))
    found.append(dmarc(_dmarc_answer(sender, ask), from_domain=sender))
    return tuple(found)


def spf(answer: records.Answer, *, from_domain: str) -> Check:
    what = f"SPF, the servers allowed to send as {answer.name}"
    if answer.error:
        return _unanswered("spf", what, answer)
    found = [t for t in answer.texts if _is(t, "v=spf1")]
    if not found:
        return Check.warn(
            "spf", f"{what}: no record", f"add a TXT record at {answer.name}: {SPF_EXAMPLE}"
        )
    if len(found) > 1:
        merge = "receivers treat two as an error (permerror): merge them into one"
        return Check.warn("spf", f"{what}: {len(found)} records", merge)
    record = found[0]
    if record.split()[-1].lower() in ("all", "+all"):
        anyone = 'it lets any server send as you: end it with "~all" or "-all"'
        return Check.warn("spf", f'{what}: "{record}"', anyone)
    other = "" if answer.name == from_domain else f" (the envelope sender's, not {from_domain})"
    relay = "it should name your relay's servers (with include:, ip4: or a:)"
    return Check.ok("spf", f'{what}{other}: "{record}"', relay)


def dkim_key(answer: records.Answer, settings: config.Dkim, signer: signing.Signer | None) -> Check:
    what = f"DKIM, the public key receivers check drip's signatures with, at {answer.name}"
    if answer.error:
        return _unanswered("dkim dns", what, answer)
    publish = f"add a TXT record at {answer.name}: {_publishable(settings, signer)}"
    found = [t for t in answer.texts if _is(t, "v=DKIM1") or "p=" in t]
    if not found:
        unsigned = f"until there is one, receivers treat drip's mail as unsigned; {publish}"
        return Check.warn("dkim dns", f"{what}: no record", unsigned)
    record = found[0]
    if signer is not None and not signing.verifies(signing.signed_probe(signer), record=record):
        return Check.warn(
            "dkim dns",
            f"{what}: a record that does not verify drip's signatures",
            "it is not the public half of DRIP_DKIM_PRIVATE_KEY_FILE (or is revoked: an empty "
            f"p=), so every signature fails; replace it: {publish}",
        )
    return Check.ok("dkim dns", f"{what}: published, and it verifies drip's signatures")


def dmarc(answer: records.Answer, *, from_domain: str) -> Check:
    what = f"DMARC, what receivers do with mail from {from_domain} that fails SPF and DKIM"
    if answer.error:
        return _unanswered("dmarc", what, answer)
    found = [t for t in answer.texts if _is(t, "v=DMARC1")]
    add = (
        f'add a TXT record at _dmarc.{from_domain}: "v=DMARC1; p=none; '
        f'rua=mailto:dmarc-reports@{from_domain}" (start with p=none and read the reports, '
        "then move to p=quarantine)"
    )
    if len(found) != 1:
        problem = "no record" if not found else f"{len(found)} records (receivers ignore all)"
        return Check.warn("dmarc", f"{what}: {problem}", add)
    record = found[0]
    policy = _tags(record).get("p", "")
    if policy not in _POLICIES:
        return Check.warn("dmarc", f'{what}: "{record}" has no valid p=', add)
    meaning = _POLICIES[policy]
    return Check.ok("dmarc", f'{what}: "{record}" at {answer.name} (p={policy}: {meaning})')


def _until_unanswered(lookup: records.Lookup) -> records.Lookup:
    unanswered: list[str] = []

    def ask(name: str) -> records.Answer:
        if unanswered:
            return records.Answer(name=name, error=unanswered[0])
        answer = lookup(name)
        if answer.error:
            unanswered.append(answer.error)
        return answer

    return ask


def _dmarc_answer(domain: str, ask: records.Lookup) -> records.Answer:
    """The record at _dmarc.<domain>, else at each parent down to two labels (the policy of
    the organisational domain, RFC 7489 §6.6.3, without the public suffix list)."""
    labels = domain.split(".")
    answer = ask(f"_dmarc.{domain}")
    for start in range(1, len(labels) - 1):
        if answer.error or any(_is(t, "v=DMARC1") for t in answer.texts):
            break
        answer = ask(f"_dmarc.{'.'.join(labels[start:])}")
    return answer if answer.texts or answer.error else records.Answer(name=f"_dmarc.{domain}")


def _envelope_domain(cfg: config.Config) -> str:
    settings = cfg.smtp_url.smtp
    return contacts.domain(settings.mail_from) if settings and settings.mail_from else ""


def _publishable(settings: config.Dkim, signer: signing.Signer | None) -> str:
    """The record to publish, quoted; words instead when the key does not load (see `dkim`)."""
    if signer is None:
        return "the public half of the key, once DRIP_DKIM_PRIVATE_KEY_FILE loads"
    return f'"{signing.public_record(settings)}"'


def _unanswered(name: str, what: str, answer: records.Answer) -> Check:
    elsewhere = "run drip doctor where DNS answers, or give --nameserver"
    return Check.warn(name, f"{what}: {answer.error}", elsewhere)


def _is(text: str, version: str) -> bool:
    head = text.strip().split(";", 1)[0].split(" ", 1)[0]
    return head.lower() == version.lower()


def _tags(record: str) -> dict[str, str]:
    pairs = (part.split("=", 1) for part in record.split(";") if "=" in part)
    return {key.strip().lower(): value.strip().lower() for key, value in pairs}
