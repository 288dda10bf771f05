"""The checks of `drip doctor` that read this host's configuration: keys, sequences.yaml, SMTP,
the DKIM key. Each returns a `Check`: what was found, in words, and what to do about it."""

from __future__ import annotations

import ipaddress
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from drip import config, contacts, errors, mail_url, mailer, sequences
from drip.mailer import signing
from drip.service import app as app_module
from drip.service.doctor_report import Check

if TYPE_CHECKING:
    import ssl

RECOMMENDED_BITS = 2048


def unloadable(exc: errors.ConfigError) -> Check:
    return Check.fail(
        "config", f"configuration: {exc}", "fix it; the other checks need the configuration"
    )


def loaded() -> Check:
    every = f"all {len(config.SETTINGS)} DRIP_* settings read and valid"
    return Check.ok("config", f"{every} (`drip --help` lists them)")


def keys(cfg: config.Config) -> tuple[Check, ...]:
    old = len(cfg.old_secret_keys)
    rotation = f", {old} earlier key{'s' * (old != 1)} still accepted" if old else ""
    return (
        _key("secret key", cfg.secret_key, cfg.secret_key_file, "SECRET_KEY", rotation),
        _key("suppression key", cfg.suppression_key, cfg.suppression_key_file, "SUPPRESSION_KEY"),
    )


def _key(name: str, key: str, path: Path | None, variable: str, extra: str = "") -> Check:
    if not key:
        file = name.replace(" key", ".key")
        return Check.fail(
            name,
            "not set: drip run, drip tick and the web app refuse to start without it",
            f"make one with `drip secret new > /etc/drip/{file}` and set "
            f"DRIP_{variable}_FILE to that file (chmod 600)",
        )
    where = f"set, from DRIP_{variable}_FILE {path}" if path else f"set, in DRIP_{variable}"
    loose = _readable_by_others(path)
    return Check.warn(name, where + extra, loose) if loose else Check.ok(name, where + extra)


def plan(cfg: config.Config) -> tuple[Check, sequences.Clinic | None]:
    """Whether sequences.yaml loads, and the clinic it names (the sending domain)."""
    try:
        plan, _article = app_module.load_plan(cfg)
    except errors.DripError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        more = len(str(exc).splitlines()) - 1
        found = first + (f" (and {more} more)" if more > 0 else "")
        return Check.fail(
            "sequences", found, "run `drip check` for every problem and its fix"
        ), None
    count = len(plan.sequences)
    found = f"{cfg.sequences}: {count} sequences, mail from {plan.clinic.from_address}"
    return Check.ok("sequences", found), plan.clinic


def smtp(cfg: config.Config, *, ssl_context: ssl.SSLContext | None = None) -> Check:
    url = cfg.smtp_url
    try:
        done = mailer.probe(url, ssl_context=ssl_context)
    except errors.SendError as exc:
        return Check.fail("smtp", f"{url.shown}: {exc}", _smtp_advice(exc))
    except errors.ConfigError as exc:
        return Check.fail("smtp", str(exc))
    if url.kind is not mail_url.Kind.SMTP:
        return Check.warn(
            "smtp",
            f"{url.shown} {done}: nothing reaches patients",
            "set DRIP_SMTP_URL to your relay, e.g. smtp://user:pass@relay:587",
        )
    clear = _in_clear(url.smtp)
    return Check.warn("smtp", done, clear) if clear else Check.ok("smtp", done)


def _smtp_advice(exc: errors.SendError) -> str:
    if exc.code in (535, 534, 454) or (exc.enhanced or "").startswith("5.7.8"):
        return "check the user name and password in DRIP_SMTP_URL (percent-encode @ : / as %40 …)"
    if exc.code is None:
        return (
            "check that the relay is running, that DRIP_SMTP_URL names the right host and port, "
            "and that a firewall lets this host reach it"
        )
    return "the relay refused drip at that step: its reply says why"


def _in_clear(settings: mail_url.SmtpSettings | None) -> str:
    if settings is None or settings.security is not mail_url.Security.NONE:
        return ""
    if settings.username is None or _is_loopback(settings.host):
        return ""
    return "the password goes over the network in clear: add ?starttls=true, or use smtps://"


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def dkim(
    cfg: config.Config, clinic: sequences.Clinic | None
) -> tuple[Check, signing.Signer | None]:
    """Whether the DKIM key signs, and whether its domain is the From address's (DMARC)."""
    settings = cfg.dkim
    if settings is None:
        off = (
            "off: drip sends unsigned (fine when the relay signs for your domain; "
            "DRIP_DKIM_SELECTOR, DRIP_DKIM_DOMAIN and DRIP_DKIM_PRIVATE_KEY_FILE turn it on)"
        )
        return Check.ok("dkim", off), None
    try:
        signer = signing.signer(settings)
    except errors.ConfigError as exc:
        return Check.fail("dkim", str(exc)), None
    found = (
        f"signs as d={settings.domain} s={settings.selector} with a {signer.bits}-bit RSA key "
        f"(rsa-sha256, {signing.CANONICALISATION})"
    )
    advice = [
        text
        for text in (
            _short(signer.bits),
            _unaligned(settings.domain, clinic),
            _readable_by_others(settings.key.path),
        )
        if text
    ]
    return (Check.warn if advice else Check.ok)("dkim", found, "; ".join(advice)), signer


def _short(bits: int) -> str:
    if bits >= RECOMMENDED_BITS:
        return ""
    return f"make a {RECOMMENDED_BITS}-bit key: some receivers distrust shorter ones"


def _unaligned(domain: str, clinic: sequences.Clinic | None) -> str:
    sender = contacts.domain(clinic.from_address).lower() if clinic else ""
    if not sender or sender == domain or sender.endswith("." + domain):
        return ""
    return (
        f"the From address's domain is {sender}: for DMARC, sign as it "
        f"(DRIP_DKIM_DOMAIN={sender}) or a parent domain of it"
    )


def _readable_by_others(path: Path | None) -> str:
    """Advice when a key file can be read by other users than its owner; "" when it cannot."""
    if path is None:
        return ""
    try:
        mode = path.stat().st_mode
    except OSError:
        return ""
    if not mode & (stat.S_IRWXG | stat.S_IRWXO):
        return ""
    return f"{path} may be read by other users (mode {stat.filemode(mode)}): chmod 600 it"
